package io.ringserve.loadtest;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a closed-loop generator's answers were, by {@link AnswerKind}, and how long the good ones took; {@link
 * #measure} runs the warm-up and the measured window. Thread-safe: answers are counted from transport threads while
 * the caller measures.
 */
final class ClosedLoopTally {
    private final Recorder latencies = new Recorder(3);
    private final OutcomeCounts outcomes = new OutcomeCounts();

    /** Counts one answer; {@code latencyMicros} is recorded for the good ones only. */
    void answered(final AnswerKind kind, final long latencyMicros) {
        outcomes.count(kind);
        if (kind == AnswerKind.OK) {
            latencies.recordValue(latencyMicros);
        }
    }

    /**
     * Lets the load run unmeasured for {@code warmup}, then counts for {@code duration}; blocks for both. The load
     * keeps running afterwards: stopping it is the caller's.
     */
    LoadResult measure(final String label, final Duration warmup, final Duration duration, final int rowsPerRequest)
            throws InterruptedException {
        Thread.sleep(warmup.toMillis());
        latencies.reset();
        outcomes.reset();
        final long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        final OutcomeCounts.Snapshot counted = outcomes.snapshot();
        final Histogram latency = latencies.getIntervalHistogram();
        final double seconds = (System.nanoTime() - start) / 1e9;
        return new LoadResult(label, counted.ok(), counted.errors(), seconds, rowsPerRequest, latency,
                counted.rejected(), counted.expired(), (counted.ok() + counted.errors()) / seconds, 0);
    }
}
