package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.ringserve.proto.tensorflow.BytesList;
import io.ringserve.proto.tensorflow.Example;
import io.ringserve.proto.tensorflow.Feature;
import io.ringserve.proto.tensorflow.Features;
import io.ringserve.proto.tensorflow.FloatList;
import io.ringserve.proto.tensorflow.Int64List;
import io.ringserve.server.inference.ExampleInference;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes TF Serving REST {@code :classify} and {@code :regress} bodies
 * ({@code {"signature_name": .., "context": {..}, "examples": [{..}, ..]}}) into serialized {@code tf.Example}s, with
 * TF Serving's feature rules and messages: strings and {@code {"b64": ..}} are bytes, decimals floats, integers and
 * booleans int64; one feature never mixes kinds. With a context, each example is the serialized context followed by
 * the serialized example (protobuf merges them). Thread-safe.
 */
public final class JsonExamplesDecoder {
    /** A decoded request. */
    public record ExamplesRequest(String signatureName, List<byte[]> examples) {
    }

    private final JsonFactory jsonFactory;

    public JsonExamplesDecoder(final JsonFactory jsonFactory) {
        this.jsonFactory = Objects.requireNonNull(jsonFactory, "jsonFactory");
    }

    /**
     * @throws ServingException INVALID_ARGUMENT naming what is wrong
     */
    public ExamplesRequest decode(final byte[] body, final int offset, final int length) {
        try (JsonParser parser = jsonFactory.createParser(body, offset, length)) {
            JsonEnvelope.openObject(parser);
            String signatureName = "";
            Example context = null;
            List<Example> examples = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "signature_name" -> signatureName = JsonEnvelope.signatureName(parser);
                    case "context" -> context = example(parser, "context");
                    case "examples" -> examples = examples(parser);
                    default -> parser.skipChildren();
                }
            }
            if (examples == null) {
                throw ServingException.invalidArgument(
                        "When method is classify, key 'examples' is expected and was not found");
            }
            final List<byte[]> serialized = new ArrayList<>(examples.size());
            examples.forEach(e -> serialized.add(e.toByteArray()));
            return new ExamplesRequest(signatureName, ExampleInference.withContext(
                    context == null ? new byte[0] : context.toByteArray(), serialized));
        } catch (JsonProcessingException e) {
            throw JsonParseErrors.of(e);
        } catch (IOException e) {
            throw new ServingException(StatusCode.INTERNAL, "Cannot read the request body: " + e.getMessage(), e);
        }
    }

    private static List<Example> examples(final JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw ServingException.invalidArgument("Expecting 'examples' value to be an list/array");
        }
        final List<Example> examples = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            examples.add(example(parser, "examples"));
        }
        if (examples.isEmpty()) {
            throw ServingException.invalidArgument("'examples' value is an empty array");
        }
        return examples;
    }

    private static Example example(final JsonParser parser, final String where) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw ServingException.invalidArgument("Example must be JSON object but got JSON "
                    + typeName(parser.currentToken()) + " (in '" + where + "')");
        }
        final Features.Builder features = Features.newBuilder();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String name = parser.currentName();
            parser.nextToken();
            features.putFeature(name, feature(parser, name));
        }
        return Example.newBuilder().setFeatures(features).build();
    }

    private static Feature feature(final JsonParser parser, final String name) throws IOException {
        final FeatureBuilder feature = new FeatureBuilder(name);
        if (parser.currentToken() == JsonToken.START_ARRAY) {
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                feature.add(parser);
            }
        } else {
            feature.add(parser);
        }
        return feature.build();
    }

    private static String typeName(final JsonToken token) {
        return switch (token) {
            case VALUE_NULL -> "Null";
            case START_ARRAY -> "Array";
            case START_OBJECT -> "Object";
            case VALUE_STRING -> "String";
            case VALUE_TRUE, VALUE_FALSE -> "Bool";
            default -> "Number";
        };
    }

    /** One feature's values, all of one kind. */
    private static final class FeatureBuilder {
        private final String name;
        private final BytesList.Builder bytes = BytesList.newBuilder();
        private final FloatList.Builder floats = FloatList.newBuilder();
        private final Int64List.Builder ints = Int64List.newBuilder();
        private String kind;

        FeatureBuilder(final String name) {
            this.name = name;
        }

        void add(final JsonParser parser) throws IOException {
            final JsonToken token = parser.currentToken();
            switch (token) {
                case VALUE_STRING -> {
                    kind("bytes");
                    bytes.addValue(ByteString.copyFrom(parser.getText(), StandardCharsets.UTF_8));
                }
                case START_OBJECT -> {
                    kind("bytes");
                    bytes.addValue(ByteString.copyFrom(b64(parser)));
                }
                case VALUE_NUMBER_FLOAT -> {
                    kind("float");
                    floats.addValue((float) JsonDoubles.read(parser));
                }
                case VALUE_NUMBER_INT -> {
                    kind("int64");
                    if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw ServingException.invalidArgument("Feature: " + name
                                + " has uint64_t element. Only int64_t is supported.");
                    }
                    ints.addValue(parser.getLongValue());
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    kind("int64");
                    ints.addValue(token == JsonToken.VALUE_TRUE ? 1 : 0);
                }
                default -> throw ServingException.invalidArgument("Feature: " + name
                        + " has element with unexpected JSON type: " + typeName(token));
            }
        }

        private byte[] b64(final JsonParser parser) throws IOException {
            if (parser.nextToken() != JsonToken.FIELD_NAME || !"b64".equals(parser.currentName())
                    || parser.nextToken() != JsonToken.VALUE_STRING) {
                throw ServingException.invalidArgument("Feature: " + name
                        + " has element with unexpected JSON type: Object");
            }
            final byte[] decoded;
            try {
                decoded = Base64Text.decode(parser.getText());
            } catch (IllegalArgumentException e) {
                throw ServingException.invalidArgument("Unable to base64 decode feature: " + name);
            }
            if (parser.nextToken() != JsonToken.END_OBJECT) {
                throw ServingException.invalidArgument("Feature: " + name
                        + " has element with unexpected JSON type: Object");
            }
            return decoded;
        }

        private void kind(final String wanted) {
            if (kind == null) {
                kind = wanted;
            } else if (!kind.equals(wanted)) {
                throw ServingException.invalidArgument("Unexpected element type in feature: " + name
                        + " expecting type: " + kind);
            }
        }

        Feature build() {
            if (kind == null) {
                return Feature.getDefaultInstance();
            }
            return switch (kind) {
                case "bytes" -> Feature.newBuilder().setBytesList(bytes).build();
                case "float" -> Feature.newBuilder().setFloatList(floats).build();
                default -> Feature.newBuilder().setInt64List(ints).build();
            };
        }
    }
}
