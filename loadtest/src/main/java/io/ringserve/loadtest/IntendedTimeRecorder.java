package io.ringserve.loadtest;

import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records latencies the coordinated-omission-free way: from when a request was <em>meant</em> to be sent (its slot in
 * the arrival schedule) to when its answer arrived. A request that waited for a free connection, or behind a stalled
 * server, carries that wait in its latency, instead of the generator quietly sending less. Also tracks how late the
 * generator itself sends (its lag), so that a run can say when the client, not the server, was the limit.
 * Thread-safe.
 */
public final class IntendedTimeRecorder {
    private final Recorder latencies = new Recorder(3);
    private final Recorder sendLag = new Recorder(3);
    private final LongSupplier nanoClock;

    public IntendedTimeRecorder(final LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** A request meant for {@code intendedNanos} actually left now. */
    public void sent(final long intendedNanos) {
        sendLag.recordValue(Math.max(0, (nanoClock.getAsLong() - intendedNanos) / 1000));
    }

    /** The answer to the request meant for {@code intendedNanos} arrived now. */
    public void answered(final long intendedNanos) {
        latencies.recordValue(Math.max(0, (nanoClock.getAsLong() - intendedNanos) / 1000));
    }

    /** Latencies in microseconds since the last call (and resets them). */
    public Histogram latencies() {
        return latencies.getIntervalHistogram();
    }

    /** How late requests left, in microseconds, since the last call (and resets it). */
    public Histogram sendLag() {
        return sendLag.getIntervalHistogram();
    }
}
