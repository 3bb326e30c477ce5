package io.ringserve.models;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a version that failed to load is tried again while its files stay as they were (TF Serving's
 * {@code --max_num_load_retries} and {@code --load_retry_interval_micros}): up to {@code max} more times, each on the
 * first poll at least {@code interval} after the attempt before, so a transient failure (storage not yet readable,
 * memory short) heals on its own while a broken version is not tried every poll. Unlike TF Serving, which sleeps
 * between attempts inside the load, the version reports its failure at once and the poller goes on meanwhile. A
 * version whose files change is tried again at once, and counts afresh.
 *
 * @param max how many more times a version is tried, 0 for none
 * @param interval the least time between two attempts
 * @param clock the time, in nanoseconds, attempts are spaced on: {@link System#nanoTime()} in production
 */
public record LoadRetries(int max, Duration interval, LongSupplier clock) {
    /** No retries: a failed version is tried again only once its files change. */
    public static final LoadRetries NONE = new LoadRetries(0, Duration.ZERO, System::nanoTime);

    public LoadRetries {
        if (max < 0) {
            throw new IllegalArgumentException("max_num_load_retries must be >= 0, got " + max);
        }
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("load_retry_interval_micros must be >= 0, got " + interval);
        }
        Objects.requireNonNull(clock, "clock");
    }
}
