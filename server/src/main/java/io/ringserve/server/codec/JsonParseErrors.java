package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.ringserve.server.inference.ServingException;
import java.util.regex.Pattern;

/**
 * Jackson's parse errors as a client should read them: TF Serving's {@code JSON Parse error: <what> at offset: <n>},
 * without what only the server's code knows (Jackson's source descriptions and the names of its limits' settings).
 * Stateless.
 */
public final class JsonParseErrors {
    /** {@code [Source: ...; line: 1, column: 5]}, in messages about a place other than where parsing stopped. */
    private static final Pattern SOURCE_LOCATION =
            Pattern.compile("\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]");
    /** {@code , from `StreamReadConstraints.getMaxNestingDepth()`}: the setting behind a limit. */
    private static final Pattern LIMIT_SETTING = Pattern.compile(", from `[^`]*`");

    private JsonParseErrors() {
    }

    /** INVALID_ARGUMENT: {@code JSON Parse error: }{@link #describe}. */
    public static ServingException of(final JsonProcessingException e) {
        return ServingException.invalidArgument("JSON Parse error: " + describe(e));
    }

    /** What went wrong, and {@code at offset: <n>} where Jackson knows the byte offset. */
    public static String describe(final JsonProcessingException e) {
        final String what = LIMIT_SETTING.matcher(SOURCE_LOCATION.matcher(e.getOriginalMessage())
                .replaceAll("line $1, column $2")).replaceAll("");
        final long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
        return what + (offset >= 0 ? " at offset: " + offset : "");
    }
}
