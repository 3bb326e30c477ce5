package io.ringserve.batching;

/**
 * The queue is full: the task was not accepted. Retryable: the caller should shed load or retry later (HTTP 503 with
 * Retry-After, gRPC UNAVAILABLE).
 */
public final class TaskRejectedException extends BatchingException {
    private static final long serialVersionUID = 1L;

    public TaskRejectedException(final String message) {
        super(message);
    }
}
