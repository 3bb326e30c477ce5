package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes the body of a KServe V2 (Open Inference Protocol) REST inference request against the model's signature:
 * the JSON object ({@code id}, {@code inputs}, {@code outputs}, request {@code parameters}) and, with the binary
 * tensor data extension, the binary section after the first {@value #HEADER_LENGTH} bytes, claimed in order by the
 * inputs' {@code binary_data_size}. A raw binary body ({@value #HEADER_LENGTH} 0, see {@link V2RawInput}) is not
 * this decoder's: its caller tells one from the other.
 *
 * <p>Stateless and thread-safe: one instance may be shared by every request, provided its {@link ObjectMapper} is
 * not reconfigured.
 */
public final class V2InferRequestDecoder {
    /** The binary tensor data extension's header: the length of the JSON part of a body. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private final ObjectMapper json;

    /** @param json parses the JSON part; numbers that overflow a double are refused whatever its settings */
    public V2InferRequestDecoder(final ObjectMapper json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /**
     * A decoded request.
     *
     * @param id the request's {@code id}, a textual node to echo in the answer, or {@code null} when it has none
     * @param inputs every input of the signature, by alias, in the order the request gave them
     * @param outputs the outputs to answer, in answer order, each with whether its data goes binary
     */
    public record V2InferRequest(JsonNode id, Map<String, HostTensor> inputs, Map<String, Boolean> outputs) {
    }

    /**
     * Decodes one request body. {@code content} is only read: its indices are left as they were, and the tensors
     * returned hold copies of its bytes, so it may be released once this returns.
     *
     * @param signature the signature the request is run on
     * @param content the whole body
     * @param headerLength the request's {@value #HEADER_LENGTH} header as sent, or {@code null} when it has none
     *     (then the whole body is JSON)
     * @throws ServingException INVALID_ARGUMENT naming the mistake: a header length out of range; a body that is no
     *     JSON object or has more after it; an {@code id} that is not a string; {@code parameters} that are not an
     *     object; {@code binary_data_output} or {@code binary_data} that are not booleans; an input with both
     *     {@code data} and {@code binary_data_size}, a size that is no byte count or more than the bytes left, binary
     *     bytes no input claims; inputs unknown, missing, given twice or malformed, and outputs unknown or asked
     *     twice (see {@link V2Inputs} and {@link V2Tensors})
     */
    public V2InferRequest decode(final SignatureSpec signature, final ByteBuf content, final String headerLength) {
        final Envelope envelope = envelope(content, headerLength);
        final JsonNode body = envelope.json();
        final JsonNode id = requestId(body.get("id"));
        final Map<String, HostTensor> inputs = inputs(signature, body.get("inputs"), envelope.binary());
        final boolean allBinary = flag(parameters(body, "the request"), "binary_data_output", "the request");
        final Map<String, Boolean> outputs = outputs(signature, body.get("outputs"), allBinary);
        return new V2InferRequest(id, inputs, outputs);
    }

    /** A request body: its JSON, and the binary data that follows it (empty without the extension). */
    private record Envelope(JsonNode json, ByteBuffer binary) {
    }

    /**
     * Splits the body at {@value #HEADER_LENGTH} (the binary tensor data extension) and parses the JSON part.
     *
     * @throws ServingException INVALID_ARGUMENT for a header out of range or a body that is not a JSON object
     */
    private Envelope envelope(final ByteBuf content, final String header) {
        int jsonLength = content.readableBytes();
        if (header != null) {
            try {
                jsonLength = Integer.parseInt(header.trim());
            } catch (NumberFormatException e) {
                jsonLength = -1;
            }
            if (jsonLength < 0 || jsonLength > content.readableBytes()) {
                throw ServingException.invalidArgument(HEADER_LENGTH + " is " + header.trim() + "; it must be the "
                        + "JSON header's length in bytes, from 0 to the body's " + content.readableBytes());
            }
        }
        final JsonNode body;
        try (JsonParser parser = JsonDoubles.refusingOverflow(json.createParser(
                (InputStream) new ByteBufInputStream(content.slice(content.readerIndex(), jsonLength))))) {
            body = json.readTree(parser);
            if (body != null && parser.nextToken() != null) {
                throw ServingException.invalidArgument("The request body has more after its JSON object, at offset "
                        + parser.currentTokenLocation().getByteOffset() + (header == null ? " (binary data needs the "
                        + HEADER_LENGTH + " header)" : ""));
            }
        } catch (JsonProcessingException e) {
            throw ServingException.invalidArgument("The request body is not JSON: " + JsonParseErrors.describe(e));
        } catch (IOException e) {
            throw ServingException.invalidArgument("The request body cannot be read: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw ServingException.invalidArgument("The request body must be a JSON object with 'inputs'");
        }
        final ByteBuffer binary = content.nioBuffer(content.readerIndex() + jsonLength,
                content.readableBytes() - jsonLength);
        return new Envelope(body, binary);
    }

    private static Map<String, HostTensor> inputs(final SignatureSpec signature, final JsonNode inputs,
                                                  final ByteBuffer binary) {
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw ServingException.invalidArgument("The request needs an 'inputs' array; the model's inputs are "
                    + signature.inputs().keySet());
        }
        final V2Inputs tensors = new V2Inputs(signature);
        for (JsonNode input : inputs) {
            final JsonNode name = input.get("name");
            if (name == null || !name.isTextual()) {
                throw ServingException.invalidArgument("Every input needs a string 'name'");
            }
            final TensorSpec spec = tensors.spec(name.textValue());
            final JsonNode binarySize = parameters(input, "input '" + spec.alias() + "'").get("binary_data_size");
            final HostTensor tensor;
            if (binarySize == null) {
                tensor = V2Tensors.read(spec.alias(), input, V2Inputs.type(spec));
            } else {
                if (input.has("data")) {
                    throw ServingException.invalidArgument("input '" + spec.alias() + "' has both 'data' and "
                            + "binary_data_size; its values come from one or the other");
                }
                if (!binarySize.isIntegralNumber() || !binarySize.canConvertToLong() || binarySize.longValue() < 0) {
                    throw ServingException.invalidArgument("input '" + spec.alias() + "': binary_data_size "
                            + binarySize + " is not a byte count (a non-negative integer)");
                }
                if (binarySize.longValue() > binary.remaining()) {
                    throw ServingException.invalidArgument("input '" + spec.alias() + "': binary_data_size "
                            + binarySize + ", but " + binary.remaining() + " bytes of binary data are left"
                            + (binary.capacity() == 0 ? " (is " + HEADER_LENGTH + " missing?)" : ""));
                }
                final ByteBuffer chunk = binary.slice();
                chunk.limit((int) binarySize.longValue());
                binary.position(binary.position() + (int) binarySize.longValue());
                tensor = V2Tensors.readBinary(spec.alias(), input, V2Inputs.type(spec), chunk);
            }
            tensors.add(spec, tensor);
        }
        if (binary.hasRemaining()) {
            throw ServingException.invalidArgument(binary.remaining() + " bytes of binary data are not claimed by "
                    + "any input's binary_data_size");
        }
        return tensors.all();
    }

    /** The outputs to answer, in order, each with whether its data goes binary. */
    private static Map<String, Boolean> outputs(final SignatureSpec signature, final JsonNode requested,
                                                final boolean allBinary) {
        final Map<String, Boolean> outputs = new LinkedHashMap<>();
        final boolean omitted = requested == null || requested.isNull();
        if (!omitted && !requested.isArray()) {
            throw ServingException.invalidArgument("'outputs' must be an array of {\"name\": ...}");
        }
        if (omitted || requested.isEmpty()) { // as KServe's servers: no outputs named, all of them
            signature.outputAliases().forEach(alias -> outputs.put(alias, allBinary));
            return outputs;
        }
        for (JsonNode output : requested) {
            final JsonNode name = output.get("name");
            if (name == null || !name.isTextual()) {
                throw ServingException.invalidArgument("Every requested output needs a string 'name'");
            }
            V2Inputs.requireOutput(signature, name.textValue(), outputs.keySet());
            final String what = "output '" + name.textValue() + "'";
            final JsonNode binary = parameters(output, what).get("binary_data");
            outputs.put(name.textValue(), binary == null ? allBinary : bool(binary, "binary_data", what));
        }
        return outputs;
    }

    /** The request's {@code id}, echoed in the answer: a string, or none. */
    private static JsonNode requestId(final JsonNode id) {
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.isTextual()) {
            throw ServingException.invalidArgument("'id' must be a string, got " + id);
        }
        return id;
    }

    /** The {@code parameters} object of {@code node}, empty when it has none; {@code what} names the node. */
    private static JsonNode parameters(final JsonNode node, final String what) {
        final JsonNode parameters = node.get("parameters");
        if (parameters == null || parameters.isNull()) {
            return MissingNode.getInstance();
        }
        if (!parameters.isObject()) {
            throw ServingException.invalidArgument("'parameters' of " + what + " must be an object, got "
                    + parameters);
        }
        return parameters;
    }

    /** The boolean parameter {@code name} of {@code parameters} (false when absent). */
    private static boolean flag(final JsonNode parameters, final String name, final String what) {
        final JsonNode value = parameters.get(name);
        return value != null && bool(value, name, what);
    }

    private static boolean bool(final JsonNode value, final String name, final String what) {
        if (!value.isBoolean()) {
            throw ServingException.invalidArgument(name + " of " + what + " must be true or false, got " + value);
        }
        return value.booleanValue();
    }
}
