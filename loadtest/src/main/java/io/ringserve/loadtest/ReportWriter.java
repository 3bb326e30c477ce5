package io.ringserve.loadtest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes a run's results as JSON, CSV and a table on the terminal. Stateless. */
public final class ReportWriter {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private ReportWriter() {
    }

    /** {@code results.json} and {@code results.csv} in {@code dir} (created if needed). */
    public static void write(final Path dir, final List<LoadResult> results) throws IOException {
        Files.createDirectories(dir);
        try (JsonGenerator json = new JsonFactory().createGenerator(
                Files.newBufferedWriter(dir.resolve("results.json"), StandardCharsets.UTF_8))) {
            json.useDefaultPrettyPrinter();
            json.writeStartArray();
            for (LoadResult r : results) {
                json.writeStartObject();
                json.writeStringField("label", r.label());
                json.writeNumberField("requests_per_second", r.throughput());
                json.writeNumberField("samples_per_second", r.samplesPerSecond());
                json.writeNumberField("send_rate", r.sendRate());
                json.writeNumberField("requests", r.requests());
                json.writeNumberField("errors", r.errors());
                json.writeNumberField("rejected", r.rejected());
                json.writeNumberField("expired", r.expired());
                json.writeNumberField("seconds", r.seconds());
                json.writeObjectFieldStart("latency_us");
                for (double p : PERCENTILES) {
                    json.writeNumberField("p" + format(p), r.percentileMicros(p));
                }
                json.writeNumberField("max", r.latency().getMaxValue());
                json.writeEndObject();
                json.writeNumberField("send_lag_p99_us", r.sendLagP99Micros());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        try (Writer csv = Files.newBufferedWriter(dir.resolve("results.csv"), StandardCharsets.UTF_8)) {
            csv.write("label,requests_per_second,samples_per_second,p50_us,p90_us,p99_us,p99.9_us,max_us,"
                    + "errors,rejected,expired,send_lag_p99_us\n");
            for (LoadResult r : results) {
                csv.write(String.format(Locale.ROOT, "\"%s\",%.1f,%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d%n", r.label(),
                        r.throughput(), r.samplesPerSecond(), r.percentileMicros(50), r.percentileMicros(90),
                        r.percentileMicros(99), r.percentileMicros(99.9), r.latency().getMaxValue(), r.errors(),
                        r.rejected(), r.expired(), r.sendLagP99Micros()));
            }
        }
    }

    /** A markdown table of the results. */
    public static void table(final PrintStream out, final List<LoadResult> results) {
        out.println("| load | req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | errors (rejected, expired) |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (LoadResult r : results) {
            out.printf(Locale.ROOT, "| %s | %.1f | %d | %d | %d | %d | %d (%d, %d) |%n", r.label(), r.throughput(),
                    r.percentileMicros(50), r.percentileMicros(90), r.percentileMicros(99),
                    r.percentileMicros(99.9), r.errors(), r.rejected(), r.expired());
        }
    }

    private static String format(final double percentile) {
        return percentile == Math.rint(percentile) ? Long.toString((long) percentile) : Double.toString(percentile);
    }
}
