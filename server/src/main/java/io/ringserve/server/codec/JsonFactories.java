package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/** The one Jackson configuration the REST codecs share. */
public final class JsonFactories {
    private JsonFactories() {
    }

    /**
     * A factory that reads TF Serving's dialect: the bare tokens {@code NaN}, {@code Infinity} and
     * {@code -Infinity}, strings as long as a request may be, and writes non-finite numbers as bare tokens too.
     *
     * @param maxStringBytes the longest string value accepted (the request size limit is a natural choice)
     */
    public static JsonFactory tfServing(final int maxStringBytes) {
        return JsonFactory.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxStringBytes).build())
                .build();
    }
}
