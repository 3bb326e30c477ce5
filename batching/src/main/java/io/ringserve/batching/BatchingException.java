package io.ringserve.batching;

/** Base of the batcher's exceptions: a task was not, or will not be, processed. */
public abstract class BatchingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected BatchingException(final String message) {
        super(message, null, false, false);
    }
}
