package io.ringserve.loadtest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A snapshot of the server's own Prometheus metrics, taken before and after a load so that the report shows what
 * the server saw: mean batch size, mean time in the batching queue, requests in flight. Summed over all series of
 * a name (all models). Immutable.
 */
public record ServerMetricsScrape(double batchRowsSum, double batchCount, double queueSecondsSum,
                                  double queueCount, double inflight) {

    /** Scrapes {@code <restBase>/metrics}; empty when the server exposes none (e.g. TF Serving). */
    public static Optional<ServerMetricsScrape> take(final URI restBase) {
        try (InputStream in = restBase.resolve("/metrics").toURL().openStream()) {
            return Optional.of(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static ServerMetricsScrape parse(final String exposition) {
        return new ServerMetricsScrape(sum(exposition, "inference_batch_size_rows_sum"),
                sum(exposition, "inference_batch_size_rows_count"),
                sum(exposition, "inference_queue_duration_seconds_sum"),
                sum(exposition, "inference_queue_duration_seconds_count"),
                sum(exposition, "inference_requests_inflight"));
    }

    private static double sum(final String exposition, final String name) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** The mean rows per batch of the batches run between {@code before} and this snapshot; 0 when none ran. */
    public double meanBatchRowsSince(final ServerMetricsScrape before) {
        final double batches = batchCount - before.batchCount;
        return batches > 0 ? (batchRowsSum - before.batchRowsSum) / batches : 0;
    }

    /** What happened between {@code before} and this snapshot, as one line. */
    public String describeSince(final ServerMetricsScrape before) {
        final double queued = queueCount - before.queueCount;
        return String.format(java.util.Locale.ROOT, "server: mean batch %.1f rows over %.0f batches, mean queue wait "
                        + "%.2f ms, in flight now %.0f",
                meanBatchRowsSince(before), batchCount - before.batchCount,
                queued > 0 ? 1000 * (queueSecondsSum - before.queueSecondsSum) / queued : 0, inflight);
    }
}
