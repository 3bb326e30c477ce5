package io.ringserve.batching.internal;

import io.ringserve.batching.BatchTask;

/**
 * A preallocated ring-buffer entry. A producer fills it in {@code tryPublishEvent}; the batch thread that holds the
 * batch-forming lock reads it, advances {@link #offset} when it takes part of a split task, and clears it before
 * releasing the slot.
 */
final class TaskSlot {
    BatchTask task;
    int size;
    long enqueuedNanos;
    int offset;

    void set(final BatchTask task, final long enqueuedNanos) {
        this.task = task;
        this.size = task.size();
        this.enqueuedNanos = enqueuedNanos;
        this.offset = 0;
    }

    void clear() {
        task = null;
    }
}
