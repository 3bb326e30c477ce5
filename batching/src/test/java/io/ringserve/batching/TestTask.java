package io.ringserve.batching;

import java.util.concurrent.CompletableFuture;

/** A task for tests: an id, a size, a deadline, a key, and a future completed by the processor or by fail(). */
final class TestTask implements BatchTask {
    final int id;
    final int size;
    final long deadline;
    final Object key;
    volatile boolean cancelled;
    final CompletableFuture<int[]> result = new CompletableFuture<>();

    TestTask(final int id, final int size) {
        this(id, size, Long.MAX_VALUE, ANY_BATCH);
    }

    TestTask(final int id, final int size, final long deadline, final Object key) {
        this.id = id;
        this.size = size;
        this.deadline = deadline;
        this.key = key;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long deadlineNanos() {
        return deadline;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public Object compatibilityKey() {
        return key;
    }

    @Override
    public void fail(final Throwable cause) {
        result.completeExceptionally(cause);
    }

    @Override
    public String toString() {
        return "T" + id + "x" + size;
    }
}
