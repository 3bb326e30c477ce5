package io.ringserve.server.inference;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request could not be served. Carries the status code every front end maps to its wire status and a message
 * meant for the client: it names what was wrong (the model, the input, the value) in TF Serving's words where TF
 * Serving has words for it.
 */
public final class ServingException extends RuntimeException {
    private static final Logger LOG = LoggerFactory.getLogger(ServingException.class);

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

    /**
     * What a failure means to a client: the {@link ServingException} inside it (through any
     * {@link CompletionException} wrapping), or INTERNAL naming anything else.
     */
    public static ServingException of(final Throwable failure) {
        final Throwable cause = unwrap(failure);
        if (cause instanceof ServingException serving) {
            return serving;
        }
        // Not a failure the server meant to answer: a bug, logged with its stack so that it can be found.
        LOG.warn("Answering INTERNAL for an unexpected failure", cause);
        return new ServingException(StatusCode.INTERNAL, "Internal error: " + cause, cause);
    }

    /** {@code failure} without the {@link CompletionException}s that futures wrap around it. */
    public static Throwable unwrap(final Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    public static ServingException invalidArgument(final String message) {
        return new ServingException(StatusCode.INVALID_ARGUMENT, message);
    }

    public static ServingException notFound(final String message) {
        return new ServingException(StatusCode.NOT_FOUND, message);
    }
}
