package io.ringserve.batching;

/**
 * The task has more rows than any batch may hold. Permanent: retrying the same task fails again (HTTP 400, gRPC
 * INVALID_ARGUMENT).
 */
public final class TaskTooLargeException extends BatchingException {
    private static final long serialVersionUID = 1L;

    public TaskTooLargeException(final String message) {
        super(message);
    }
}
