package io.ringserve.batching;

/**
 * One unit of work offered to a {@link BatchScheduler}: a request of {@link #size()} rows (its dimension 0).
 *
 * <p>The scheduler reads {@link #size()}, {@link #deadlineNanos()}, {@link #isCancelled()} and
 * {@link #compatibilityKey()} from its batch threads, so implementations must make them safe to call from any
 * thread; {@code size} and {@code compatibilityKey} must not change once the task is scheduled.
 */
public interface BatchTask {
    /** The key of tasks that may share any batch (see {@link #compatibilityKey()}). */
    Object ANY_BATCH = new Object() {
        @Override
        public String toString() {
            return "ANY_BATCH";
        }
    };

    /** Rows in this task, at least 1. */
    int size();

    /**
     * The time, on the scheduler's {@link Ticker}, after which the result is no longer wanted. A task whose deadline
     * has passed when its batch forms is failed with {@link TaskExpiredException} and never processed.
     */
    default long deadlineNanos() {
        return Long.MAX_VALUE;
    }

    /** True when the caller has given up; such a task is dropped like an expired one. */
    default boolean isCancelled() {
        return false;
    }

    /**
     * Tasks share a batch only if their keys are equal: e.g. the shapes of their inputs past dimension 0, which must
     * agree for the inputs to be concatenated.
     */
    default Object compatibilityKey() {
        return ANY_BATCH;
    }

    /**
     * Completes the task with an error: called by the scheduler for a task that expired or was cancelled, or whose
     * batch's processor threw. May be called after the task completed normally, and then must do nothing; must not
     * throw.
     */
    void fail(Throwable cause);
}
