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
 * @param latency latencies of the answered requests, in microseconds (open loop: from each request's due time)
 * @param rejected answers that shed load (HTTP 503, gRPC UNAVAILABLE)
 * @param expired answers whose deadline passed (HTTP 504, gRPC DEADLINE_EXCEEDED)
 * @param sendRate requests actually sent per second (open loop; compare with the rate asked)
 * @param sendLagP99Micros how late the generator sent its requests, p99 (open loop; large means the client was
 *     the limit, not the server)
 */
public record LoadResult(String label, long requests, long errors, double seconds, int rowsPerRequest,
                         Histogram latency, long rejected, long expired, double sendRate, long sendLagP99Micros) {
    /** A closed-loop result, where every error is counted as other and there is no schedule to lag behind. */
    public LoadResult(final String label, final long requests, final long errors, final double seconds,
                      final int rowsPerRequest, final Histogram latency) {
        this(label, requests, errors, seconds, rowsPerRequest, latency, 0, 0, (requests + errors) / seconds, 0);
    }

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
