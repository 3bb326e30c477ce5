package io.ringserve.batching;

/**
 * The task's deadline passed, or its caller cancelled it, before its batch ran; it was never processed (HTTP 504, gRPC
 * DEADLINE_EXCEEDED).
 */
public final class TaskExpiredException extends BatchingException {
    private static final long serialVersionUID = 1L;

    public TaskExpiredException(final String message) {
        super(message);
    }
}
