package io.ringserve.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.ByteString;
import io.ringserve.proto.inference.ModelInferRequest;
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
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Builds requests of random, seeded data of the right types and shapes for a signature, from the metadata the
 * server publishes (TF Serving's {@code GET /v1/models/{m}/metadata} or KServe V2's {@code GET /v2/models/{m}}):
 * TF Serving row-format JSON for REST and {@code tensor_content} PredictRequests for gRPC, or KServe V2 JSON tensors
 * and raw ModelInferRequests. The same seed gives the same requests. Not thread-safe.
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

    /**
     * Reads the model's inputs from a KServe V2 server's model metadata ({@code GET /v2/models/{m}}), so that any
     * V2 server (ringserve, Triton, KServe's runtimes) can be driven.
     *
     * @throws IOException naming the metadata URL when the server cannot be reached or does not serve the model
     */
    public static List<InputSpec> fromV2Metadata(final URI restBase, final String model) throws IOException {
        final URI metadata = restBase.resolve("/v2/models/" + model);
        try (InputStream in = metadata.toURL().openStream()) {
            return fromV2MetadataJson(JsonMapper.builder().build().readTree(in));
        } catch (IOException e) {
            throw new IOException("cannot read the inputs of model " + model + " from " + metadata + " ("
                    + e + "); is the server's REST API there (--target)?", e);
        }
    }

    static List<InputSpec> fromV2MetadataJson(final JsonNode metadata) {
        final List<InputSpec> specs = new ArrayList<>();
        for (JsonNode input : metadata.path("inputs")) {
            final String name = input.path("name").asText();
            final String datatype = input.path("datatype").asText();
            final String dtype = InputSpec.dtypeOfV2(datatype).orElseThrow(() -> new IllegalArgumentException(
                    "input '" + name + "' has datatype '" + datatype + "', which is not a KServe V2 datatype"));
            final List<Long> dims = new ArrayList<>();
            input.path("shape").forEach(d -> dims.add(d.asLong()));
            specs.add(new InputSpec(name, dtype, dims));
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("the model's V2 metadata lists no inputs");
        }
        return specs;
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
            final TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            input.shape(rows).forEach(size -> shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(size)));
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
                default -> tensor.setTensorContent(ByteString.copyFrom(rawValues(input, n)));
            }
            request.putInputs(input.alias(), tensor.build());
        }
        return request.build();
    }

    /**
     * A KServe V2 REST body ({@code POST /v2/models/{m}/infer}): each input as a JSON tensor of {@code rows} random
     * rows, row-major.
     *
     * @throws IllegalArgumentException naming an input whose type has no V2 JSON form (FP16, BF16: gRPC only)
     */
    public byte[] v2RestBody(final int rows) {
        final StringBuilder json = new StringBuilder("{\"inputs\":[");
        for (int i = 0; i < inputs.size(); i++) {
            final InputSpec input = inputs.get(i);
            final String datatype = input.v2Datatype();
            if (datatype.equals("FP16") || datatype.equals("BF16")) {
                throw new IllegalArgumentException("input '" + input.alias() + "' is " + datatype
                        + ", which KServe V2 JSON cannot carry; use gRPC (--grpc)");
            }
            json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(input.alias()).append("\",\"shape\":")
                    .append(input.shape(rows).stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")))
                    .append(",\"datatype\":\"").append(datatype).append("\",\"data\":[");
            final int n = rows * input.rowElements();
            for (int e = 0; e < n; e++) {
                json.append(e == 0 ? "" : ",").append(jsonValue(input.dtype()));
            }
            json.append("]}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A KServe V2 ModelInferRequest with {@code rows} random rows per input, every input in {@code
     * raw_input_contents} (little-endian row-major; BYTES elements each a 4-byte length and the bytes), as Triton's
     * clients send them.
     */
    public ModelInferRequest v2GrpcRequest(final int rows) {
        final ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        for (InputSpec input : inputs) {
            request.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(input.alias())
                    .setDatatype(input.v2Datatype()).addAllShape(input.shape(rows)));
            final int n = rows * input.rowElements();
            request.addRawInputContents(ByteString.copyFrom(input.elementBytes() < 0 ? rawStrings(n)
                    : rawValues(input, n)));
        }
        return request.build();
    }

    private byte[] rawStrings(final int n) {
        final ByteBuffer raw = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            final byte[] value = String.format(Locale.ROOT, "s%03d", random.nextInt(1000))
                    .getBytes(StandardCharsets.UTF_8);
            raw.putInt(value.length).put(value);
        }
        return Arrays.copyOf(raw.array(), raw.position());
    }

    /** {@code n} random elements of {@code input}'s fixed-width type, little-endian. */
    private byte[] rawValues(final InputSpec input, final int n) {
        final int width = input.elementBytes();
        final ByteBuffer raw = ByteBuffer.allocate(n * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (input.dtype()) {
                case "DT_FLOAT" -> raw.putFloat(random.nextFloat());
                case "DT_DOUBLE" -> raw.putDouble(random.nextDouble());
                // Half precision in [0.5, 1): exponent -1, a random 10-bit mantissa.
                case "DT_HALF" -> raw.putShort((short) (0x3800 | random.nextInt(0x400)));
                // bfloat16 is the top half of a float's bits.
                case "DT_BFLOAT16" -> raw.putShort((short) (Float.floatToIntBits(random.nextFloat()) >>> 16));
                case "DT_BOOL" -> raw.put((byte) random.nextInt(2));
                case "DT_UINT8" -> raw.put((byte) random.nextInt(256));
                default -> {
                    final int value = random.nextInt(10);
                    switch (width) {
                        case 1 -> raw.put((byte) value);
                        case 2 -> raw.putShort((short) value);
                        case 4 -> raw.putInt(value);
                        default -> raw.putLong(value);
                    }
                }
            }
        }
        return raw.array();
    }
}
