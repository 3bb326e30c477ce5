package io.ringserve.batching;

import java.util.List;

/**
 * A group of task slices processed together; immutable once handed to the {@link BatchProcessor}.
 *
 * <p>All slices share one {@link BatchTask#compatibilityKey()}. {@link #size()} counts their rows;
 * {@link #paddedSize()} is the size to run at when {@link BatchingOptions#allowedBatchSizes()} asks for padding
 * (equal to {@code size()} otherwise).
 *
 * @param <T> the task type
 */
public final class Batch<T extends BatchTask> {
    private final List<TaskSlice<T>> slices;
    private final int size;
    private final int paddedSize;

    public Batch(final List<TaskSlice<T>> slices, final int paddedSize) {
        this.slices = List.copyOf(slices);
        if (this.slices.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one slice");
        }
        this.size = this.slices.stream().mapToInt(TaskSlice::rows).sum();
        if (paddedSize < size) {
            throw new IllegalArgumentException("padded size " + paddedSize + " below batch size " + size);
        }
        this.paddedSize = paddedSize;
    }

    /** The slices in the order their tasks were scheduled. */
    public List<TaskSlice<T>> slices() {
        return slices;
    }

    /** Rows in the batch. */
    public int size() {
        return size;
    }

    /** Rows to run at, padding included. */
    public int paddedSize() {
        return paddedSize;
    }

    @Override
    public String toString() {
        return "Batch{slices=" + slices.size() + ", size=" + size + ", paddedSize=" + paddedSize + "}";
    }
}
