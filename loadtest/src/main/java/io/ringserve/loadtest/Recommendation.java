package io.ringserve.loadtest;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Autoscaling targets from a concurrency sweep and a p99 SLO. The knee is the highest concurrency whose p99 met the
 * SLO with no errors: one pod should be asked to hold about that many requests. Knative's KPA target and the HPA's
 * or KEDA's per-pod in-flight value are that knee; containerConcurrency is the highest concurrency the pod answered
 * without shedding load (never below the knee), so excess waits in Knative's activator instead of getting 503s.
 */
public record Recommendation(int knee, long kneeP99Micros, double kneeThroughput, int containerConcurrency) {

    /** The recommendation, or empty when even the lowest load missed the SLO. */
    public static Optional<Recommendation> from(final List<Integer> concurrencies, final List<LoadResult> results,
                                                final long sloP99Micros) {
        int knee = -1;
        LoadResult kneeResult = null;
        int unshed = 0;
        for (int i = 0; i < results.size(); i++) {
            final LoadResult r = results.get(i);
            if (r.rejected() == 0 && r.errors() == 0) {
                unshed = Math.max(unshed, concurrencies.get(i));
            }
            if (r.errors() == 0 && r.percentileMicros(99) <= sloP99Micros && concurrencies.get(i) > knee) {
                knee = concurrencies.get(i);
                kneeResult = r;
            }
        }
        if (kneeResult == null) {
            return Optional.empty();
        }
        return Optional.of(new Recommendation(knee, kneeResult.percentileMicros(99), kneeResult.throughput(),
                Math.max(knee, unshed)));
    }

    public void print(final PrintStream out, final long sloP99Micros) {
        out.printf(Locale.ROOT, "%nKnee for p99 <= %d ms: %d requests in flight per pod (p99 %.1f ms, %.0f req/s)%n",
                sloP99Micros / 1000, knee, kneeP99Micros / 1000.0, kneeThroughput);
        out.println("Suggested settings:");
        out.printf(Locale.ROOT, "  Knative:  autoscaling.knative.dev/target: \"%d\"   "
                + "(with target-utilization-percentage 80)%n", knee);
        out.printf(Locale.ROOT, "            containerConcurrency: %d%n", containerConcurrency);
        out.printf(Locale.ROOT, "  HPA/KEDA: inference_requests_inflight averageValue / threshold: \"%d\"%n", knee);
    }
}
