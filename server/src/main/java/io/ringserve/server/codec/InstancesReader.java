package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the row format, {@code "instances": [..]}: either a list of plain values for a single-input signature, or a
 * list of objects holding every input by name. A {@code {"b64": ..}} object counts as a plain value. Not
 * thread-safe: one per request.
 */
final class InstancesReader {
    private final SignatureSpec signature;
    private final Map<String, JsonTensorReader> readers;

    InstancesReader(final SignatureSpec signature) {
        this.signature = signature;
        this.readers = JsonPredictRequestDecoder.readers(signature);
    }

    /** Parser on the token after the {@code instances} key. */
    Map<String, HostTensor> read(final JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw ServingException.invalidArgument("Expecting 'instances' to be an list/array");
        }
        JsonToken token = parser.nextToken();
        if (token == JsonToken.END_ARRAY) {
            throw ServingException.invalidArgument("No values in 'instances' array");
        }
        Boolean objects = null;
        for (int index = 0; token != JsonToken.END_ARRAY; index++, token = parser.nextToken()) {
            if (token == JsonToken.START_OBJECT) {
                token = parser.nextToken();
                final boolean b64 = token == JsonToken.FIELD_NAME && parser.currentName().equals("b64")
                        && !readers.containsKey("b64");
                objects = checkMode(objects, !b64, index);
                if (b64) {
                    plainReader().readB64InstanceAfterKey(parser);
                } else {
                    readObject(parser, index);
                }
            } else {
                objects = checkMode(objects, false, index);
                plainReader().readInstance(parser);
            }
        }
        return JsonPredictRequestDecoder.build(readers, true);
    }

    private Boolean checkMode(final Boolean objects, final boolean isObject, final int index) {
        if (objects != null && objects != isObject) {
            throw ServingException.invalidArgument("Failed to process element: " + index + " of 'instances' list. "
                    + "All elements must be either objects of named inputs or plain values/lists, not a mix");
        }
        return isObject;
    }

    private JsonTensorReader plainReader() {
        return JsonPredictRequestDecoder.singleInput(readers,
                "instances is a plain list, but expecting list of objects as multiple input tensors required as per "
                        + "tensorinfo_map");
    }

    /** Parser on the first token inside the element object (a field name or the closing brace). */
    private void readObject(final JsonParser parser, final int index) throws IOException {
        final Set<String> seen = new HashSet<>();
        for (JsonToken token = parser.currentToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            final String name = parser.currentName();
            final JsonTensorReader reader = readers.get(name);
            if (reader == null || !seen.add(name)) {
                throw keysMismatch(index, reader == null ? "unexpected key '" + name + "'"
                        : "key '" + name + "' appears twice");
            }
            parser.nextToken();
            reader.readInstance(parser);
        }
        if (seen.size() != readers.size()) {
            final Set<String> missing = new HashSet<>(readers.keySet());
            missing.removeAll(seen);
            throw keysMismatch(index, "missing " + String.join(",", missing));
        }
    }

    private ServingException keysMismatch(final int index, final String problem) {
        return ServingException.invalidArgument("Failed to process element: " + index + " of 'instances' list. "
                + "JSON object keys must be equal to: " + JsonPredictRequestDecoder.sortedKeys(signature.inputs())
                + " (" + problem + ")");
    }
}
