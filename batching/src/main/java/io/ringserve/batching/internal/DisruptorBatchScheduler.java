package io.ringserve.batching.internal;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.EventTranslatorTwoArg;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import io.ringserve.batching.Batch;
import io.ringserve.batching.BatchProcessor;
import io.ringserve.batching.BatchScheduler;
import io.ringserve.batching.BatchTask;
import io.ringserve.batching.BatchingMetrics;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.batching.TaskExpiredException;
import io.ringserve.batching.TaskRejectedException;
import io.ringserve.batching.TaskSlice;
import io.ringserve.batching.TaskTooLargeException;
import io.ringserve.batching.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BatchScheduler} on a Disruptor ring buffer.
 *
 * <pre>
 *  producers ──tryPublishEvent──▶ [ ring of TaskSlots ] ──▶ batch thread 1 ─┐ one at a time forms a batch
 *  (any thread, never blocks)        multi-producer     ──▶ batch thread 2 ─┤ under the forming lock, then
 *                                                       ──▶ batch thread N ─┘ processes it without the lock
 * </pre>
 *
 * <p>A free batch thread takes the forming lock, waits for the first task, and takes the waiting tasks in order
 * until the batch is full, a task of another compatibility key is next, or (ADAPTIVE) nothing more is waiting or
 * (TIMEOUT) the batch timeout after the first task passes. It then releases the lock, so the next free thread forms
 * the next batch from whatever arrives meanwhile, and runs the processor. Expired and cancelled tasks are failed
 * and skipped while forming. The queue bound is counted in rows; the ring is sized so that it never fills first.
 *
 * @param <T> the task type
 */
public final class DisruptorBatchScheduler<T extends BatchTask> implements BatchScheduler<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DisruptorBatchScheduler.class);
    // Sentinels below any sequence: a barrier may legitimately answer next - 1 (claimed but not yet published).
    private static final long CLOSED_AND_EMPTY = Long.MIN_VALUE;
    private static final long TIMED_OUT = Long.MIN_VALUE + 1;
    private static final EventTranslatorTwoArg<TaskSlot, BatchTask, Long> PUBLISH =
            (slot, sequence, task, now) -> slot.set(task, now);

    private final String name;
    private final BatchingOptions options;
    private final BatchProcessor<T> processor;
    private final BatchingMetrics metrics;
    private final Ticker ticker;
    private final DeadlineWaitStrategy waitStrategy;
    private final RingBuffer<TaskSlot> ring;
    private final Sequence consumed = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
    private final SequenceBarrier barrier;
    private final ReentrantLock formingLock = new ReentrantLock();
    private final AtomicInteger enqueuedRows = new AtomicInteger();
    private final AtomicInteger enqueuedTasks = new AtomicInteger();
    private final AtomicInteger admitting = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    public DisruptorBatchScheduler(final String name, final BatchingOptions options,
                                   final BatchProcessor<T> processor, final BatchingMetrics metrics,
                                   final Ticker ticker) {
        this.name = Objects.requireNonNull(name, "name");
        this.options = Objects.requireNonNull(options, "options");
        this.processor = Objects.requireNonNull(processor, "processor");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.waitStrategy = new DeadlineWaitStrategy(ticker);
        // Every task has at least one row, so a ring of capacity-in-rows slots never fills before the row bound.
        final int slots = Integer.highestOneBit(Math.max(2, options.queueCapacityRows()) * 2 - 1);
        this.ring = RingBuffer.createMultiProducer(TaskSlot::new, slots, waitStrategy);
        this.barrier = ring.newBarrier();
        ring.addGatingSequences(consumed);
        metrics.bindQueueDepth(enqueuedTasks::get);
        for (int i = 0; i < options.numBatchThreads(); i++) {
            final Thread thread = new Thread(this::runBatches, "ringserve-batch-" + name + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    @Override
    public void schedule(final T task) {
        Objects.requireNonNull(task, "task");
        final int size = task.size();
        if (size < 1) {
            throw new IllegalArgumentException("a task has at least one row, got " + size);
        }
        if (size > maxTaskSize()) {
            throw new TaskTooLargeException("Task size " + size + " is larger than maximum input batch size "
                    + maxTaskSize());
        }
        admitting.incrementAndGet();
        try {
            if (closed.get()) {
                throw new IllegalStateException("batch scheduler " + name + " is closed");
            }
            if (enqueuedRows.addAndGet(size) > options.queueCapacityRows()) {
                enqueuedRows.addAndGet(-size);
                throw reject();
            }
            enqueuedTasks.incrementAndGet();
            if (!ring.tryPublishEvent(PUBLISH, task, ticker.nanoTime())) {
                enqueuedTasks.decrementAndGet();
                enqueuedRows.addAndGet(-size);
                throw reject();
            }
        } finally {
            admitting.decrementAndGet();
        }
    }

    private TaskRejectedException reject() {
        metrics.rejected();
        return new TaskRejectedException("The batch scheduling queue to which this task was submitted is full ("
                + options.queueCapacityRows() + " rows)");
    }

    @Override
    public int numEnqueuedTasks() {
        return enqueuedTasks.get();
    }

    @Override
    public int numEnqueuedRows() {
        return enqueuedRows.get();
    }

    @Override
    public int maxTaskSize() {
        return options.maxBatchSize();
    }

    private void runBatches() {
        while (true) {
            final Batch<T> batch;
            formingLock.lock();
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                formingLock.unlock();
            }
            if (batch == null) {
                return;
            }
            final Batch<T> wanted = withoutCancelled(batch);
            if (wanted != null) {
                process(wanted);
            }
        }
    }

    /**
     * The batch without the tasks whose callers gave up while it was forming (a timeout batch may wait long);
     * null when none is left.
     */
    private Batch<T> withoutCancelled(final Batch<T> batch) {
        if (!anyCancelled(batch)) {
            return batch; // the common case, without a copy
        }
        final List<TaskSlice<T>> wanted = new ArrayList<>(batch.slices().size());
        for (TaskSlice<T> slice : batch.slices()) {
            if (slice.task().isCancelled()) {
                if (slice.isLastSlice()) {
                    metrics.expired();
                    slice.task().fail(new TaskExpiredException("The request was cancelled before its batch ran"));
                }
            } else {
                wanted.add(slice);
            }
        }
        if (wanted.isEmpty()) {
            return null;
        }
        final int rows = wanted.stream().mapToInt(TaskSlice::rows).sum();
        return new Batch<>(wanted, options.paddedSize(rows));
    }

    private static boolean anyCancelled(final Batch<?> batch) {
        for (TaskSlice<?> slice : batch.slices()) {
            if (slice.task().isCancelled()) {
                return true;
            }
        }
        return false;
    }

    private void process(final Batch<T> batch) {
        metrics.batchFormed(batch.size());
        try {
            processor.process(batch);
        } catch (Throwable failure) {
            LOG.warn("Batch of {} rows failed in {}: {}", batch.size(), name, failure.toString());
            batch.slices().forEach(slice -> slice.task().fail(failure));
        }
    }

    /** Forms the next batch; null once closed and drained. Called with the forming lock held. */
    private Batch<T> nextBatch() throws InterruptedException {
        final BatchBuilder<T> builder = new BatchBuilder<>(options.maxExecutionBatchSize());
        while (builder.isEmpty()) {
            final long next = consumed.get() + 1;
            final long available = awaitAvailable(next, DeadlineWaitStrategy.NO_DEADLINE);
            if (available == CLOSED_AND_EMPTY) {
                return null;
            }
            take(builder, next, available); // no-op while the next task is claimed but not yet published
        }
        if (options.closePolicy() == ClosePolicy.TIMEOUT && !builder.isClosed()) {
            final long deadline = builder.firstEnqueuedNanos() + options.batchTimeout().toNanos();
            while (!builder.isClosed()) {
                final long next = consumed.get() + 1;
                final long available = awaitAvailable(next, deadline);
                if (available == TIMED_OUT || available == CLOSED_AND_EMPTY) {
                    break;
                }
                take(builder, next, available);
            }
        }
        return builder.build(options);
    }

    /** Takes tasks from {@code from} to {@code to} (inclusive) into the batch, stopping where it closes. */
    @SuppressWarnings("unchecked")
    private void take(final BatchBuilder<T> builder, final long from, final long to) {
        final long now = ticker.nanoTime();
        for (long seq = from; seq <= to && !builder.isClosed(); seq++) {
            final TaskSlot slot = ring.get(seq);
            final T task = (T) slot.task;
            if (slot.offset == 0 && (task.isCancelled() || now - task.deadlineNanos() > 0)) {
                release(seq, slot, slot.size);
                metrics.expired();
                task.fail(new TaskExpiredException(task.isCancelled()
                        ? "The request was cancelled before its batch ran"
                        : "Deadline exceeded while the request waited in the batching queue"));
                continue;
            }
            final int remaining = slot.size - slot.offset;
            final int taken = builder.offer(task, slot.offset, remaining, slot.enqueuedNanos,
                    options.enableLargeBatchSplitting());
            if (taken == 0) {
                return;
            }
            if (slot.offset == 0) {
                metrics.queued(now - slot.enqueuedNanos);
            }
            if (taken == remaining) {
                release(seq, slot, remaining);
            } else {
                slot.offset += taken;
                enqueuedRows.addAndGet(-taken);
            }
        }
    }

    private void release(final long seq, final TaskSlot slot, final int rows) {
        slot.clear();
        enqueuedRows.addAndGet(-rows);
        enqueuedTasks.decrementAndGet();
        consumed.set(seq);
    }

    /**
     * The highest sequence available from {@code next}, waiting for it until {@code deadline}.
     *
     * @return that sequence; {@code next - 1} when the next task is claimed but not yet published;
     *     {@link #TIMED_OUT}; or {@link #CLOSED_AND_EMPTY} when closed with nothing left
     */
    private long awaitAvailable(final long next, final long deadline) throws InterruptedException {
        waitStrategy.waitUntil(deadline);
        try {
            return barrier.waitFor(next);
        } catch (TimeoutException e) {
            return TIMED_OUT;
        } catch (AlertException e) {
            // Closing: no producer is admitted any more, so whatever is published is all there will be.
            if (!ring.isAvailable(next) || next > ring.getCursor()) {
                return CLOSED_AND_EMPTY;
            }
            long highest = next;
            while (highest < ring.getCursor() && ring.isAvailable(highest + 1)) {
                highest++;
            }
            return highest;
        }
    }

    @Override
    public boolean close(final Duration drainTimeout) throws InterruptedException {
        if (closed.compareAndSet(false, true)) {
            while (admitting.get() > 0) {
                Thread.onSpinWait();
            }
            barrier.alert();
        }
        final long deadline = System.nanoTime() + drainTimeout.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        final boolean drained = threads.stream().noneMatch(Thread::isAlive);
        if (!drained) {
            failLeftovers();
        }
        metrics.unbindQueueDepth();
        return drained;
    }

    /** After a drain timed out: fails what is still queued, if no batch thread is forming a batch right now. */
    private void failLeftovers() {
        if (!formingLock.tryLock()) {
            return;
        }
        try {
            for (long seq = consumed.get() + 1; seq <= ring.getCursor() && ring.isAvailable(seq); seq++) {
                final TaskSlot slot = ring.get(seq);
                final BatchTask task = slot.task;
                release(seq, slot, slot.size - slot.offset);
                task.fail(new TaskExpiredException("The server shut down before the request's batch ran"));
            }
        } finally {
            formingLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "DisruptorBatchScheduler{" + name + ", " + options + "}";
    }
}
