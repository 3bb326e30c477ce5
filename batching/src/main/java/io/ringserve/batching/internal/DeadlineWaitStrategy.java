package io.ringserve.batching.internal;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import io.ringserve.batching.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking wait strategy whose waits can end at a deadline on an injected {@link Ticker}: the batch former sets
 * {@link #waitUntil} before waiting for a batch to fill and gets a {@link TimeoutException} when it passes.
 *
 * <p>Like Disruptor's {@code LiteBlockingWaitStrategy}, producers take the lock to signal only when a consumer may be
 * sleeping. Waits with a deadline sleep in slices of at most {@link #MAX_SLEEP_NANOS}, so a test ticker that jumps
 * forward is noticed promptly. Only one thread waits at a time (the one holding the batch-forming lock), so the
 * deadline is a plain field written and read by that thread.
 */
final class DeadlineWaitStrategy implements WaitStrategy {
    /** No deadline: wait until a task arrives or the barrier is alerted. */
    static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    private final AtomicBoolean signalNeeded = new AtomicBoolean();
    private final Ticker ticker;
    private long deadlineNanos = NO_DEADLINE;

    DeadlineWaitStrategy(final Ticker ticker) {
        this.ticker = ticker;
    }

    /** Sets the deadline of the calling consumer's following waits ({@link #NO_DEADLINE} for none). */
    void waitUntil(final long deadline) {
        this.deadlineNanos = deadline;
    }

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
                        final SequenceBarrier barrier)
            throws AlertException, InterruptedException, TimeoutException {
        if (cursor.get() < sequence) {
            lock.lock();
            try {
                do {
                    signalNeeded.set(true);
                    if (cursor.get() >= sequence) {
                        break;
                    }
                    barrier.checkAlert();
                    sleep();
                } while (cursor.get() < sequence);
            } finally {
                lock.unlock();
            }
        }
        long available;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            Thread.onSpinWait();
        }
        return available;
    }

    private void sleep() throws InterruptedException, TimeoutException {
        if (deadlineNanos == NO_DEADLINE) {
            published.await();
            return;
        }
        final long remaining = deadlineNanos - ticker.nanoTime();
        if (remaining <= 0) {
            throw TimeoutException.INSTANCE;
        }
        published.awaitNanos(Math.min(remaining, MAX_SLEEP_NANOS));
    }

    @Override
    public void signalAllWhenBlocking() {
        if (signalNeeded.getAndSet(false)) {
            lock.lock();
            try {
                published.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
