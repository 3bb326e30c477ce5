package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;

/**
 * The checks every TF Serving REST body shares, with TF Serving's messages: the body is one JSON object, and its
 * {@code signature_name}, when given, is a string. Used by the predict and the classify/regress decoders. Stateless.
 */
final class JsonEnvelope {
    private JsonEnvelope() {
    }

    /**
     * Reads the body's first token, which must open an object.
     *
     * @throws ServingException INVALID_ARGUMENT for an empty body or one that is not an object
     */
    static void openObject(final JsonParser parser) throws IOException {
        final JsonToken first = parser.nextToken();
        if (first == null) {
            throw ServingException.invalidArgument("JSON Parse error: The document is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw ServingException.invalidArgument("JSON Parse error: the request body must be a JSON object, "
                    + "found " + parser.getText());
        }
    }

    /**
     * The {@code signature_name} value the parser stands on.
     *
     * @throws ServingException INVALID_ARGUMENT when it is not a string
     */
    static String signatureName(final JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw ServingException.invalidArgument("'signature_name' key must be a string value.");
        }
        return parser.getText();
    }
}
