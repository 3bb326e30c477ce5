package io.ringserve.loadtest;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Autoscaling targets from a concurrency sweep and a p99 SLO. The knee is the highest concurrency below the first
 * one (from the lowest up) whose p99 missed the SLO, erred, or got no answer at all: one pod should be asked to hold
 * about that many requests. Knative's KPA target and the HPA's or KEDA's per-pod in-flight value are that knee;
 * containerConcurrency is the highest concurrency the pod answered without shedding load, up to the first that shed
 * (never below the knee), so excess waits in Knative's activator instead of getting 503s. When every load met the
 * SLO, the knee is only a lower bound ({@link #atLeast}).
 *
 * @param atLeast every load tried met the SLO: the knee is at or above the highest one
 */
public record Recommendation(int knee, long kneeP99Micros, double kneeThroughput, int containerConcurrency,
                             boolean atLeast) {

    /**
     * The recommendation, or empty when even the lowest load missed the SLO. Loads are taken from the lowest
     * concurrency up, in whatever order they ran; a later load that met the SLO again after one that missed it
     * (noise, batching timeouts at low load) does not move the knee past the miss.
     */
    public static Optional<Recommendation> from(final List<Integer> concurrencies, final List<LoadResult> results,
                                                final long sloP99Micros) {
        final List<Integer> order = IntStream.range(0, results.size()).boxed()
                .sorted(Comparator.comparing(concurrencies::get)).toList();
        int knee = -1;
        LoadResult kneeResult = null;
        boolean meeting = true;
        int unshed = 0;
        boolean answeringAll = true;
        for (int i : order) {
            final LoadResult r = results.get(i);
            final boolean answered = r.requests() > 0;
            answeringAll &= answered && r.rejected() == 0 && r.errors() == 0;
            if (answeringAll) {
                unshed = concurrencies.get(i);
            }
            meeting &= answered && r.errors() == 0 && r.percentileMicros(99) <= sloP99Micros;
            if (meeting) {
                knee = concurrencies.get(i);
                kneeResult = r;
            }
        }
        if (kneeResult == null) {
            return Optional.empty();
        }
        return Optional.of(new Recommendation(knee, kneeResult.percentileMicros(99), kneeResult.throughput(),
                Math.max(knee, unshed), meeting));
    }

    public void print(final PrintStream out, final long sloP99Micros) {
        out.printf(Locale.ROOT, "%nKnee for p99 <= %d ms: %s%d requests in flight per pod (p99 %.1f ms, %.0f req/s)%n",
                sloP99Micros / 1000, atLeast ? "at least " : "", knee, kneeP99Micros / 1000.0, kneeThroughput);
        if (atLeast) {
            out.println("  (every load tried met the SLO: sweep higher concurrencies to find the knee)");
        }
        out.println("Suggested settings:");
        out.printf(Locale.ROOT, "  Knative:  autoscaling.knative.dev/target: \"%d\"   "
                + "(with target-utilization-percentage 80)%n", knee);
        out.printf(Locale.ROOT, "            containerConcurrency: %d%n", containerConcurrency);
        out.printf(Locale.ROOT, "  HPA/KEDA: inference_requests_inflight averageValue / threshold: \"%d\"%n", knee);
    }
}
