package io.ringserve.batching;

import java.time.Duration;

/**
 * A queue of tasks and the threads that form them into batches and run them.
 *
 * <p>Thread-safe: any number of threads may {@link #schedule} at once. Scheduling never blocks.
 *
 * @param <T> the task type
 */
public interface BatchScheduler<T extends BatchTask> extends AutoCloseable {
    /**
     * Enqueues a task. Returns at once; the task completes later through its own completion mechanism, or through
     * {@link BatchTask#fail} if it expires or its batch fails.
     *
     * @throws TaskRejectedException if the queue is full (retryable)
     * @throws TaskTooLargeException if the task has more rows than any batch may hold (permanent)
     * @throws IllegalStateException if the scheduler is closed
     */
    void schedule(T task);

    /** Tasks waiting for a batch now. */
    int numEnqueuedTasks();

    /** Rows waiting for a batch now. */
    int numEnqueuedRows();

    /** The largest task {@link #schedule} accepts, in rows. */
    int maxTaskSize();

    /**
     * Stops accepting tasks, lets the batch threads process everything already queued, and waits for them up to
     * {@code drainTimeout}. Tasks still queued after that are failed with {@link TaskExpiredException}.
     *
     * @return true if the queue drained in time
     */
    boolean close(Duration drainTimeout) throws InterruptedException;

    /** {@link #close(Duration)} with a 30-second drain. */
    @Override
    default void close() throws InterruptedException {
        close(Duration.ofSeconds(30));
    }
}
