package io.ringserve.batching;

import java.util.Objects;

/**
 * The rows {@code [offset, offset + rows)} of a task that belong to one batch. A task larger than
 * {@link BatchingOptions#maxExecutionBatchSize()} is split into several slices, in row order, each in its own batch
 * (only with {@link BatchingOptions#enableLargeBatchSplitting()}); otherwise a slice covers its whole task.
 *
 * @param task the task
 * @param offset the first row of the task in this slice
 * @param rows the number of rows
 * @param <T> the task type
 */
public record TaskSlice<T extends BatchTask>(T task, int offset, int rows) {
    public TaskSlice {
        Objects.requireNonNull(task, "task");
        if (offset < 0 || rows < 1 || offset + rows > task.size()) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + rows) + ") outside a task of "
                    + task.size() + " rows");
        }
    }

    /** True when this slice covers the whole task. */
    public boolean isWholeTask() {
        return offset == 0 && rows == task.size();
    }

    /** True when this slice holds the task's last rows: the task's result is complete once it is processed. */
    public boolean isLastSlice() {
        return offset + rows == task.size();
    }
}
