package io.ringserve.loadtest;

import java.util.concurrent.atomic.LongAdder;

/**
 * Answers by {@link AnswerKind}. Thread-safe: closed-loop generators count from their transport threads while the
 * measuring thread resets and reads; open-loop ones count under their own lock.
 */
final class OutcomeCounts {
    private final LongAdder ok = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder other = new LongAdder();

    void count(final AnswerKind kind) {
        switch (kind) {
            case OK -> ok.increment();
            case REJECTED -> rejected.increment();
            case EXPIRED -> expired.increment();
            default -> other.increment();
        }
    }

    void reset() {
        ok.reset();
        rejected.reset();
        expired.reset();
        other.reset();
    }

    /**
     * The counts, each read once: while answers keep arriving, reading a count twice could make {@code errors} differ
     * from {@code rejected + expired + other}.
     */
    Snapshot snapshot() {
        return new Snapshot(ok.sum(), rejected.sum(), expired.sum(), other.sum());
    }

    /** Answers by kind at one moment. */
    record Snapshot(long ok, long rejected, long expired, long other) {
        /** Every answer that was not ok. */
        long errors() {
            return rejected + expired + other;
        }
    }
}
