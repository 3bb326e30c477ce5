package io.ringserve.loadtest;

/**
 * Answers by kind, from their HTTP status: ok (200), rejected (503, the server shed load), expired (504, a deadline
 * passed), and other errors. Used from one thread.
 */
final class OutcomeCounts {
    private long ok;
    private long rejected;
    private long expired;
    private long other;

    void count(final int httpStatus) {
        switch (httpStatus) {
            case 200 -> ok++;
            case 503 -> rejected++;
            case 504 -> expired++;
            default -> other++;
        }
    }

    void reset() {
        ok = 0;
        rejected = 0;
        expired = 0;
        other = 0;
    }

    long ok() {
        return ok;
    }

    long rejected() {
        return rejected;
    }

    long expired() {
        return expired;
    }

    /** Every answer that was not ok. */
    long errors() {
        return rejected + expired + other;
    }
}
