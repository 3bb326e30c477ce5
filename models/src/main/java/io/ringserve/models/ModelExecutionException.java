package io.ringserve.models;

/**
 * A model could not compute a result. {@link #kind()} tells whether the request was at fault (TensorFlow rejected
 * the inputs: wrong shape for an op, a type it cannot feed) or the server was.
 */
public final class ModelExecutionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Who is to blame. */
    public enum Kind {
        /** The inputs were not acceptable to the graph (TF_INVALID_ARGUMENT, TF_OUT_OF_RANGE, ...). */
        INVALID_ARGUMENT,
        /** TensorFlow cancelled the call at its timeout (TF_DEADLINE_EXCEEDED). */
        DEADLINE_EXCEEDED,
        /** The type or operation is not supported. */
        UNIMPLEMENTED,
        /** Anything else: a failure inside TensorFlow or ringserve. */
        INTERNAL
    }

    private final Kind kind;

    public ModelExecutionException(final Kind kind, final String message, final Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ModelExecutionException(final Kind kind, final String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
