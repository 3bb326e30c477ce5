package io.ringserve.loadtest;

import io.grpc.Status;

/** How every load generator counts an answer, over REST or gRPC alike. */
enum AnswerKind {
    /** HTTP 200, gRPC OK. */
    OK,
    /** The server shed load: HTTP 503, gRPC UNAVAILABLE. */
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

    static AnswerKind ofGrpc(final Status.Code code) {
        return switch (code) {
            case OK -> OK;
            case UNAVAILABLE -> REJECTED;
            case DEADLINE_EXCEEDED -> EXPIRED;
            default -> OTHER;
        };
    }
}
