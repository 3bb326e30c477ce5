package io.ringserve.server.inference;

import java.util.Objects;

/**
 * A request could not be served. Carries the status code every front end maps to its wire status and a message
 * meant for the client: it names what was wrong (the model, the input, the value) in TF Serving's words where TF
 * Serving has words for it.
 */
public final class ServingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final StatusCode code;

    public ServingException(final StatusCode code, final String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ServingException(final StatusCode code, final String message, final Throwable cause) {
        super(message, cause, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public StatusCode code() {
        return code;
    }

    public static ServingException invalidArgument(final String message) {
        return new ServingException(StatusCode.INVALID_ARGUMENT, message);
    }

    public static ServingException notFound(final String message) {
        return new ServingException(StatusCode.NOT_FOUND, message);
    }
}
