package io.ringserve.loadtest;

import java.util.Random;

/**
 * When an open-loop generator sends: the gap before the next request. Not thread-safe; one per generator.
 */
public interface Arrivals {
    /** Nanoseconds from this request's intended send time to the next one's. */
    long nextGapNanos();

    /** A fixed rate: every gap is {@code 1/rate}. */
    static Arrivals constant(final double ratePerSecond) {
        requirePositive(ratePerSecond);
        final long gap = Math.max(1, Math.round(1e9 / ratePerSecond));
        return () -> gap;
    }

    /** A Poisson process of the given rate: exponential gaps, seeded so that runs repeat. */
    static Arrivals poisson(final double ratePerSecond, final long seed) {
        requirePositive(ratePerSecond);
        final Random random = new Random(seed);
        return () -> Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * 1e9 / ratePerSecond));
    }

    private static void requirePositive(final double rate) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate must be > 0, got " + rate);
        }
    }
}
