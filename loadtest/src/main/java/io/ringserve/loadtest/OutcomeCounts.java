package io.ringserve.loadtest;

/** Answers by {@link AnswerKind}. Not thread-safe: used from one thread, or under its user's lock. */
final class OutcomeCounts {
    private long ok;
    private long rejected;
    private long expired;
    private long other;

    void count(final AnswerKind kind) {
        switch (kind) {
            case OK -> ok++;
            case REJECTED -> rejected++;
            case EXPIRED -> expired++;
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
