package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decodes TF Serving REST predict bodies ({@code {"signature_name": .., "instances": [..]}} or
 * {@code {"inputs": ..}}) into host tensors of the signature's types, with TF Serving's rules and error messages.
 *
 * <p>One streaming pass in the common case: the data is decoded as it is met, with the signature named so far.
 * When {@code signature_name} follows the data and names another signature, or the request is bad, a careful
 * second path runs two passes (find {@code signature_name}, then decode with its types known) and reports errors
 * in TF Serving's order and words. No tree of the document is ever built. Thread-safe; the {@link JsonFactory} is
 * shared.
 */
public final class JsonPredictRequestDecoder {
    private static final String PLAIN_INPUTS_FOR_MANY = "inputs is a plain value/list, but expecting an object as "
            + "multiple input tensors required as per tensorinfo_map";

    /** Jackson's "[Source: ...; line: 1, column: 14]", which names no source here: keep line and column. */
    private final JsonFactory jsonFactory;

    public JsonPredictRequestDecoder(final JsonFactory jsonFactory) {
        this.jsonFactory = Objects.requireNonNull(jsonFactory, "jsonFactory");
    }

    /**
     * Decodes one request body.
     *
     * @param body opens a fresh stream over the whole body; called once, or twice when {@code signature_name}
     *     follows the data and names another signature than the default
     * @param signatures resolves a signature name (empty for the default) or throws {@link ServingException}
     * @throws ServingException INVALID_ARGUMENT naming what is wrong, or UNIMPLEMENTED for types JSON cannot carry
     */
    public PredictRequest decode(final Supplier<InputStream> body, final Function<String, SignatureSpec> signatures) {
        return decode(() -> jsonFactory.createParser(body.get()), signatures);
    }

    /**
     * Decodes the body held in {@code body[offset, offset + length)}; see {@link #decode(Supplier, Function)}. The
     * common body (one float input as plain decimals) is read by {@link PlainNumbersFastPath}, with the same result.
     */
    public PredictRequest decode(final byte[] body, final int offset, final int length,
                                 final Function<String, SignatureSpec> signatures) {
        final PredictRequest plain = PlainNumbersFastPath.decode(body, offset, length, signatures);
        return plain != null ? plain : decode(() -> jsonFactory.createParser(body, offset, length), signatures);
    }

    private PredictRequest decode(final ParserSource body, final Function<String, SignatureSpec> signatures) {
        final PredictRequest request = decodeInOnePass(body, signatures);
        return request != null ? request : decodeInTwoPasses(body, signatures);
    }

    /** Opens a new parser over the whole body. */
    @FunctionalInterface
    private interface ParserSource {
        JsonParser open() throws IOException;
    }

    /**
     * The common case in one pass: the data is decoded as soon as it is met, with the signature named so far (the
     * default if none yet). Returns null, to fall back on two passes, when that guess turns out wrong (a later
     * {@code signature_name} names another signature) or anything fails: the two-pass decoder then reports the
     * error TF Serving would.
     */
    private PredictRequest decodeInOnePass(final ParserSource body,
                                           final Function<String, SignatureSpec> signatures) {
        try (JsonParser parser = body.open()) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String signatureName = "";
            SignatureSpec decodedWith = null;
            Map<String, HostTensor> inputs = null;
            boolean rowFormat = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String field = parser.currentName();
                final JsonToken value = parser.nextToken();
                if (field.equals("signature_name") && value == JsonToken.VALUE_STRING) {
                    signatureName = parser.getText();
                } else if ((field.equals("instances") || field.equals("inputs")) && decodedWith == null) {
                    decodedWith = signatures.apply(signatureName);
                    if (decodedWith.inputs().isEmpty()) {
                        return null;
                    }
                    rowFormat = field.equals("instances");
                    inputs = rowFormat ? new InstancesReader(decodedWith).read(parser)
                            : readColumnar(parser, decodedWith);
                } else if (field.equals("signature_name") || field.equals("instances") || field.equals("inputs")) {
                    return null; // a non-string signature_name, or both data keys: let the careful path say so
                } else {
                    parser.skipChildren();
                }
            }
            if (decodedWith == null || parser.nextToken() != null
                    || signatures.apply(signatureName) != decodedWith) {
                return null;
            }
            return new PredictRequest(signatureName, rowFormat, inputs);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private PredictRequest decodeInTwoPasses(final ParserSource body,
                                             final Function<String, SignatureSpec> signatures) {
        final Envelope envelope = scanEnvelope(body);
        final SignatureSpec signature = signatures.apply(envelope.signatureName);
        if (signature.inputs().isEmpty()) {
            throw ServingException.invalidArgument("Failed to get input map for signature: "
                    + (envelope.signatureName.isEmpty() ? "DEFAULT" : envelope.signatureName));
        }
        if (envelope.hasInstances && envelope.hasInputs) {
            throw ServingException.invalidArgument("JSON Value: {...} Not formatted correctly expecting only one of "
                    + "'inputs' or 'instances' keys to exist");
        }
        if (!envelope.hasInstances && !envelope.hasInputs) {
            throw ServingException.invalidArgument("Missing 'inputs' or 'instances' key");
        }
        final String key = envelope.hasInstances ? "instances" : "inputs";
        try (JsonParser parser = body.open()) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String field = parser.currentName();
                parser.nextToken();
                if (field.equals(key)) {
                    final Map<String, HostTensor> inputs = envelope.hasInstances
                            ? new InstancesReader(signature).read(parser)
                            : readColumnar(parser, signature);
                    return new PredictRequest(envelope.signatureName, envelope.hasInstances, inputs);
                }
                parser.skipChildren();
            }
            throw new IllegalStateException("the first pass found '" + key + "' but the second did not");
        } catch (JsonProcessingException e) {
            throw JsonParseErrors.of(e);
        } catch (IOException e) {
            throw new ServingException(StatusCode.INTERNAL, "Cannot read the request body: " + e.getMessage(), e);
        }
    }

    private Envelope scanEnvelope(final ParserSource body) {
        final Envelope envelope = new Envelope();
        try (JsonParser parser = body.open()) {
            JsonEnvelope.openObject(parser);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "signature_name" -> envelope.signatureName = JsonEnvelope.signatureName(parser);
                    case "instances" -> envelope.hasInstances = true;
                    case "inputs" -> envelope.hasInputs = true;
                    default -> { }
                }
                parser.skipChildren();
            }
            if (parser.nextToken() != null) {
                throw ServingException.invalidArgument("JSON Parse error: The document root must not be followed by "
                        + "other values. at offset: " + parser.currentLocation().getByteOffset());
            }
            return envelope;
        } catch (JsonProcessingException e) {
            throw JsonParseErrors.of(e);
        } catch (IOException e) {
            throw new ServingException(StatusCode.INTERNAL, "Cannot read the request body: " + e.getMessage(), e);
        }
    }

    private static Map<String, HostTensor> readColumnar(final JsonParser parser, final SignatureSpec signature)
            throws IOException {
        final Map<String, JsonTensorReader> readers = readers(signature);
        if (parser.currentToken() == JsonToken.START_OBJECT) {
            if (parser.nextToken() == JsonToken.FIELD_NAME && parser.currentName().equals("b64")
                    && !readers.containsKey("b64")) {
                singleInput(readers, PLAIN_INPUTS_FOR_MANY).readWholeB64AfterKey(parser);
            } else {
                readNamedColumns(parser, readers);
            }
        } else {
            singleInput(readers, PLAIN_INPUTS_FOR_MANY).readWhole(parser);
        }
        return build(readers, false);
    }

    /** Parser on the first token inside the {@code inputs} object (a field name or the closing brace). */
    private static void readNamedColumns(final JsonParser parser, final Map<String, JsonTensorReader> readers)
            throws IOException {
        for (JsonToken token = parser.currentToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            final JsonTensorReader reader = readers.get(parser.currentName());
            parser.nextToken();
            if (reader == null) {
                parser.skipChildren(); // TF Serving ignores keys the signature does not have
                continue;
            }
            if (reader.hasValue()) {
                throw ServingException.invalidArgument("Input '" + reader.alias()
                        + "' appears twice in 'inputs' object.");
            }
            reader.readWhole(parser);
        }
        for (JsonTensorReader reader : readers.values()) {
            if (!reader.hasValue()) {
                throw ServingException.invalidArgument("Missing named input: " + reader.alias()
                        + " in 'inputs' object.");
            }
        }
    }

    static JsonTensorReader singleInput(final Map<String, JsonTensorReader> readers, final String error) {
        if (readers.size() != 1) {
            throw ServingException.invalidArgument(error);
        }
        return readers.values().iterator().next();
    }

    static Map<String, JsonTensorReader> readers(final SignatureSpec signature) {
        final Map<String, JsonTensorReader> readers = new LinkedHashMap<>();
        for (TensorSpec input : signature.inputs().values()) {
            final DType dtype = input.dtype().orElseThrow(() -> new ServingException(StatusCode.UNIMPLEMENTED,
                    "Input '" + input.alias() + "' has type " + input.dtypeName()
                            + ", which JSON requests cannot carry"));
            readers.put(input.alias(), new JsonTensorReader(input.alias(), dtype));
        }
        return readers;
    }

    static Map<String, HostTensor> build(final Map<String, JsonTensorReader> readers, final boolean rowFormat) {
        final Map<String, HostTensor> tensors = new LinkedHashMap<>();
        readers.forEach((alias, reader) -> tensors.put(alias, reader.build(rowFormat)));
        return tensors;
    }

    static String sortedKeys(final Map<String, ?> map) {
        return String.join(",", new TreeSet<>(map.keySet()));
    }

    private static final class Envelope {
        private String signatureName = "";
        private boolean hasInstances;
        private boolean hasInputs;
    }
}
