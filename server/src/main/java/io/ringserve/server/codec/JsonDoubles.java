package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;

/**
 * JSON numbers read as doubles the way TF Serving's parser reads them: the bare tokens {@code Infinity} and
 * {@code -Infinity} are infinite, but a number written out in digits that is too large for a double (such as
 * {@code 1e999}) is refused rather than quietly read as infinity. Stateless.
 */
public final class JsonDoubles {
    private JsonDoubles() {
    }

    /**
     * The parser's current number token as a double.
     *
     * @throws ServingException INVALID_ARGUMENT naming the number when its digits overflow a double
     */
    static double read(final JsonParser parser) throws IOException {
        final double value = parser.getDoubleValue();
        if (Double.isInfinite(value) && !parser.getText().endsWith("Infinity")) {
            throw ServingException.invalidArgument("JSON Parse error: Number too big to be stored in double: "
                    + parser.getText());
        }
        return value;
    }

    /**
     * {@code parser} with its doubles read by {@link #read}, for readers that take a parser (Jackson's tree model
     * reads every floating-point number through {@link JsonParser#getDoubleValue()}). Not thread-safe, like the
     * parser it wraps; closing it closes that parser.
     */
    public static JsonParser refusingOverflow(final JsonParser parser) {
        return new JsonParserDelegate(parser) {
            @Override
            public double getDoubleValue() throws IOException {
                return read(delegate);
            }
        };
    }
}
