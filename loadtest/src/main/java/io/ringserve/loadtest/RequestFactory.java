package io.ringserve.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.ByteString;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Builds requests of random, seeded data of the right types and shapes for a signature, from the metadata the
 * server publishes ({@code GET /v1/models/{m}/metadata}): TF Serving row-format JSON for REST, {@code
 * tensor_content} PredictRequests for gRPC. The same seed gives the same requests.
 */
public final class RequestFactory {
    private final String model;
    private final String signature;
    private final List<InputSpec> inputs;
    private final Random random;

    public RequestFactory(final String model, final String signature, final List<InputSpec> inputs,
                          final long seed) {
        this.model = model;
        this.signature = signature;
        this.inputs = List.copyOf(inputs);
        this.random = new Random(seed);
    }

    /**
     * Reads the signature's inputs from a server's TF Serving REST metadata.
     *
     * @throws IOException naming the metadata URL when the server cannot be reached or does not serve the model
     */
    public static List<InputSpec> fromMetadata(final URI restBase, final String model, final String signature)
            throws IOException {
        final URI metadata = restBase.resolve("/v1/models/" + model + "/metadata");
        try (InputStream in = metadata.toURL().openStream()) {
            return fromMetadataJson(JsonMapper.builder().build().readTree(in), signature);
        } catch (IOException e) {
            throw new IOException("cannot read the inputs of model " + model + " from " + metadata + " ("
                    + e + "); is the server's REST API there (--target)?", e);
        }
    }

    static List<InputSpec> fromMetadataJson(final JsonNode metadata, final String signature) {
        final JsonNode def = metadata.path("metadata").path("signature_def").path("signature_def").path(signature);
        if (def.isMissingNode()) {
            throw new IllegalArgumentException("the model has no signature '" + signature + "'");
        }
        final List<InputSpec> specs = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = def.path("inputs").fields(); it.hasNext();) {
            final Map.Entry<String, JsonNode> input = it.next();
            final List<Long> dims = new ArrayList<>();
            input.getValue().path("tensor_shape").path("dim").forEach(d -> dims.add(d.path("size").asLong()));
            specs.add(new InputSpec(input.getKey(), input.getValue().path("dtype").asText(), dims));
        }
        return specs;
    }

    /** A row-format REST body with {@code rows} random instances. */
    public byte[] restBody(final int rows) {
        final StringBuilder json = new StringBuilder("{\"signature_name\":\"").append(signature)
                .append("\",\"instances\":[");
        for (int r = 0; r < rows; r++) {
            json.append(r == 0 ? "" : ",");
            if (inputs.size() == 1) {
                appendRow(json, inputs.get(0));
            } else {
                json.append('{');
                for (int i = 0; i < inputs.size(); i++) {
                    json.append(i == 0 ? "" : ",").append('"').append(inputs.get(i).alias()).append("\":");
                    appendRow(json, inputs.get(i));
                }
                json.append('}');
            }
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private void appendRow(final StringBuilder json, final InputSpec input) {
        final int n = input.rowElements();
        final boolean list = input.dims().size() > 1;
        json.append(list ? "[" : "");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append(jsonValue(input.dtype()));
        }
        json.append(list ? "]" : "");
    }

    private String jsonValue(final String dtype) {
        return switch (dtype) {
            case "DT_FLOAT", "DT_DOUBLE", "DT_HALF", "DT_BFLOAT16" ->
                    String.format(Locale.ROOT, "%.4f", random.nextFloat());
            case "DT_BOOL" -> Boolean.toString(random.nextBoolean());
            case "DT_STRING" -> "\"s" + random.nextInt(1000) + "\"";
            default -> Integer.toString(random.nextInt(10));
        };
    }

    /** A gRPC Predict request with {@code rows} random rows per input, numeric inputs as tensor_content. */
    public PredictRequest grpcRequest(final int rows) {
        final PredictRequest.Builder request = PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName(model).setSignatureName(signature));
        for (InputSpec input : inputs) {
            final TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dim.newBuilder().setSize(rows));
            for (int d = 1; d < input.dims().size(); d++) {
                shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(Math.max(1, input.dims().get(d))));
            }
            final DataType dtype = DataType.valueOf(input.dtype());
            final TensorProto.Builder tensor = TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape);
            final int n = rows * input.rowElements();
            switch (dtype) {
                case DT_STRING -> {
                    for (int i = 0; i < n; i++) {
                        tensor.addStringVal(ByteString.copyFromUtf8("s" + random.nextInt(1000)));
                    }
                }
                case DT_BOOL -> {
                    for (int i = 0; i < n; i++) {
                        tensor.addBoolVal(random.nextBoolean());
                    }
                }
                default -> tensor.setTensorContent(ByteString.copyFrom(rawValues(dtype, n)));
            }
            request.putInputs(input.alias(), tensor.build());
        }
        return request.build();
    }

    private byte[] rawValues(final DataType dtype, final int n) {
        final int size = switch (dtype) {
            case DT_DOUBLE, DT_INT64 -> 8;
            case DT_UINT8 -> 1;
            default -> 4;
        };
        final ByteBuffer raw = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case DT_FLOAT -> raw.putFloat(random.nextFloat());
                case DT_DOUBLE -> raw.putDouble(random.nextDouble());
                case DT_INT64 -> raw.putLong(random.nextInt(10));
                case DT_UINT8 -> raw.put((byte) random.nextInt(256));
                default -> raw.putInt(random.nextInt(10));
            }
        }
        return raw.array();
    }
}
