package io.ringserve.loadtest;

import io.grpc.Status;

/** How every load generator counts an answer, over REST or gRPC alike. */
enum AnswerKind {
    /** HTTP 200, gRPC OK. */
    OK,
    /** The server shed load: HTTP 503, gRPC UNAVAILABLE sent by the server. */
    REJECTED,
    /** A deadline passed: HTTP 504, gRPC DEADLINE_EXCEEDED. */
    EXPIRED,
    /** Any other status, or no answer at all. */
    OTHER;

    static AnswerKind ofHttpStatus(final int status) {
        return switch (status) {
            case 200 -> OK;
            case 503 -> REJECTED;
            case 504 -> EXPIRED;
            default -> OTHER;
        };
    }

    /**
     * The kind of a call's final status. UNAVAILABLE is a rejection only when the server sent it: grpc-java reports a
     * connection that failed or was refused as UNAVAILABLE too, with the transport's exception as its cause, and that
     * is a call with no answer.
     */
    static AnswerKind ofGrpc(final Status status) {
        return switch (status.getCode()) {
            case OK -> OK;
            case UNAVAILABLE -> status.getCause() == null ? REJECTED : OTHER;
            case DEADLINE_EXCEEDED -> EXPIRED;
            default -> OTHER;
        };
    }
}
