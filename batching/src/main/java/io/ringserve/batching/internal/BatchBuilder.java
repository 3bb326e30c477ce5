package io.ringserve.batching.internal;

import io.ringserve.batching.Batch;
import io.ringserve.batching.BatchTask;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.TaskSlice;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch being formed: its slices, rows and compatibility key, and whether it is closed to more tasks. Used by
 * the one thread holding the forming lock; not thread-safe.
 */
final class BatchBuilder<T extends BatchTask> {
    private final int maxRows;
    private final List<TaskSlice<T>> slices = new ArrayList<>();
    private int rows;
    private Object key;
    private long firstEnqueuedNanos;
    private boolean closed;

    BatchBuilder(final int maxRows) {
        this.maxRows = maxRows;
    }

    boolean isEmpty() {
        return slices.isEmpty();
    }

    boolean isClosed() {
        return closed;
    }

    long firstEnqueuedNanos() {
        return firstEnqueuedNanos;
    }

    /**
     * Adds as many rows of {@code task}, starting at {@code offset}, as the batch takes.
     *
     * @return the rows taken: all {@code rows}, fewer when splitting, or 0 when the task must wait for another batch
     *     (the batch is then closed)
     */
    int offer(final T task, final int offset, final int rows, final long enqueuedNanos, final boolean split) {
        if (!slices.isEmpty() && !key.equals(task.compatibilityKey())) {
            closed = true;
            return 0;
        }
        final int room = maxRows - this.rows;
        final int taken = rows <= room ? rows : (split ? room : 0);
        if (taken == 0) {
            closed = true;
            return 0;
        }
        if (slices.isEmpty()) {
            key = task.compatibilityKey();
            firstEnqueuedNanos = enqueuedNanos;
        }
        slices.add(new TaskSlice<>(task, offset, taken));
        this.rows += taken;
        if (this.rows == maxRows) {
            closed = true;
        }
        return taken;
    }

    Batch<T> build(final BatchingOptions options) {
        return new Batch<>(slices, options.paddedSize(rows));
    }
}
