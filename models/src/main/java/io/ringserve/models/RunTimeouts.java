package io.ringserve.models;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The {@code RunOptions.timeout_in_ms} of a model call from the deadline of the requests it serves, as TF Serving
 * derives it: a call past every one of its requests' deadlines is cancelled by TensorFlow, so that a runaway run does
 * not hold a thread for requests that have been answered already. Stateless.
 */
public final class RunTimeouts {
    /** Deadlines further away than this are no limit: front ends write "no deadline" as one far in the future. */
    static final long UNLIMITED_NANOS = TimeUnit.DAYS.toNanos(1);

    private RunTimeouts() {
    }

    /**
     * The timeout of a call wanted until {@code deadlineNanos}, at {@code nowNanos} on the same clock: what is left,
     * at least a millisecond (TensorFlow's unit); {@link Duration#ZERO} (no limit) for a deadline more than a day away.
     */
    public static Duration until(final long deadlineNanos, final long nowNanos) {
        final long remaining;
        try {
            remaining = Math.subtractExact(deadlineNanos, nowNanos);
        } catch (ArithmeticException e) {
            return deadlineNanos > nowNanos ? Duration.ZERO : Duration.ofMillis(1);
        }
        if (remaining > UNLIMITED_NANOS) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(remaining, TimeUnit.MILLISECONDS.toNanos(1)));
    }
}
