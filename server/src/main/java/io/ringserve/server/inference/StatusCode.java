package io.ringserve.server.inference;

/**
 * TensorFlow's status codes (the {@code tensorflow.error.Code} numbering, which gRPC shares), each with the HTTP
 * status TF Serving's REST API answers for it.
 */
public enum StatusCode {
    OK(0, 200),
    CANCELLED(1, 499),
    UNKNOWN(2, 500),
    INVALID_ARGUMENT(3, 400),
    DEADLINE_EXCEEDED(4, 504),
    NOT_FOUND(5, 404),
    ALREADY_EXISTS(6, 409),
    PERMISSION_DENIED(7, 403),
    RESOURCE_EXHAUSTED(8, 429),
    FAILED_PRECONDITION(9, 400),
    ABORTED(10, 409),
    OUT_OF_RANGE(11, 400),
    UNIMPLEMENTED(12, 501),
    INTERNAL(13, 500),
    UNAVAILABLE(14, 503),
    DATA_LOSS(15, 500),
    UNAUTHENTICATED(16, 401);

    /** By number: the codes are numbered 0 to 16 in declaration order. */
    private static final StatusCode[] BY_NUMBER = values();

    private final int number;
    private final int httpStatus;

    StatusCode(final int number, final int httpStatus) {
        this.number = number;
        this.httpStatus = httpStatus;
    }

    /** The code's number in {@code tensorflow.error.Code} and {@code grpc.Status}. */
    public int number() {
        return number;
    }

    /** The code numbered {@code number} ({@code grpc.Status} shares the numbering); UNKNOWN for any other number. */
    public static StatusCode of(final int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : UNKNOWN;
    }

    /**
     * The code a REST answer's HTTP status stands for: the first code answered with it (500 is INTERNAL); another
     * 4xx status INVALID_ARGUMENT, another 5xx INTERNAL, anything below 400 OK.
     */
    public static StatusCode ofHttpStatus(final int httpStatus) {
        if (httpStatus < 400) {
            return OK;
        }
        if (httpStatus == INTERNAL.httpStatus) {
            return INTERNAL;
        }
        for (StatusCode code : BY_NUMBER) {
            if (code.httpStatus == httpStatus) {
                return code;
            }
        }
        return httpStatus < 500 ? INVALID_ARGUMENT : INTERNAL;
    }

    /** The HTTP status TF Serving's REST API answers for this code. */
    public int httpStatus() {
        return httpStatus;
    }
}
