package io.ringserve.loadtest;

import org.HdrHistogram.Histogram;

/**
 * What one measured load phase produced.
 *
 * @param label what was measured
 * @param requests requests answered 200 during the measurement window
 * @param errors requests answered with any other status
 * @param seconds the length of the measurement window
 * @param rowsPerRequest rows (samples) each request carries
 * @param latency latencies of the answered requests, in microseconds
 */
public record LoadResult(String label, long requests, long errors, double seconds, int rowsPerRequest,
                         Histogram latency) {
    /** Requests per second. */
    public double throughput() {
        return requests / seconds;
    }

    /** Samples (rows) per second. */
    public double samplesPerSecond() {
        return throughput() * rowsPerRequest;
    }

    /** Latency percentile in microseconds. */
    public long percentileMicros(final double percentile) {
        return latency.getValueAtPercentile(percentile);
    }
}
