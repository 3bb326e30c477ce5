package io.ringserve.loadtest;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The benchmarks' Markdown rows: each the mean of one load's rounds. Stateless. */
final class BenchTable {
    private BenchTable() {
    }

    /** {@code | label | samples/s | p50 µs | p99 µs |}, each the mean over {@code rounds}. */
    static void row(final PrintStream out, final String label, final List<LoadResult> rounds) {
        out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", label, mean(rounds, LoadResult::samplesPerSecond),
                mean(rounds, r -> r.percentileMicros(50)), mean(rounds, r -> r.percentileMicros(99)));
    }

    static double mean(final List<LoadResult> rounds, final ToDoubleFunction<LoadResult> metric) {
        return rounds.stream().mapToDouble(metric).average().orElse(Double.NaN);
    }
}
