package io.ringserve.loadtest;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a closed-loop generator's answers were, by {@link AnswerKind}, and how long the good ones took; {@link
 * #measure} runs the warm-up and the measured window. Thread-safe: answers are counted from transport threads while
 * the caller measures.
 */
final class ClosedLoopTally {
    private final Recorder latencies = new Recorder(3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder other = new LongAdder();

    /** Counts one answer; {@code latencyMicros} is recorded for the good ones only. */
    void answered(final AnswerKind kind, final long latencyMicros) {
        switch (kind) {
            case OK -> {
                ok.increment();
                latencies.recordValue(latencyMicros);
            }
            case REJECTED -> rejected.increment();
            case EXPIRED -> expired.increment();
            default -> other.increment();
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
        ok.reset();
        rejected.reset();
        expired.reset();
        other.reset();
        final long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        final long requests = ok.sum();
        final long shed = rejected.sum();
        final long late = expired.sum();
        final long errors = shed + late + other.sum();
        final Histogram latency = latencies.getIntervalHistogram();
        final double seconds = (System.nanoTime() - start) / 1e9;
        return new LoadResult(label, requests, errors, seconds, rowsPerRequest, latency, shed, late,
                (requests + errors) / seconds, 0);
    }
}
