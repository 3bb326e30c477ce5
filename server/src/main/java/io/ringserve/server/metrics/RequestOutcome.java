package io.ringserve.server.metrics;

/** The {@code status} label of {@code inference_requests_total}: what became of a request, from its HTTP status. */
public enum RequestOutcome {
    OK, CLIENT_ERROR, SERVER_ERROR, REJECTED, TIMEOUT;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The label value: {@code ok}, {@code client_error}, ... */
    public String label() {
        return label;
    }

    /** 2xx ok; 503 rejected (shed load); 504 timeout; other 4xx client error; other 5xx server error. */
    public static RequestOutcome ofHttpStatus(final int status) {
        if (status < 400) {
            return OK;
        }
        if (status == 503) {
            return REJECTED;
        }
        if (status == 504) {
            return TIMEOUT;
        }
        return status < 500 ? CLIENT_ERROR : SERVER_ERROR;
    }
}
