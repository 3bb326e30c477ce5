package io.ringserve.server.inference;

import io.ringserve.models.ModelExecutionException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs models on a bounded pool of worker threads so that event loops never block on TensorFlow.
 *
 * <p>{@link #submit} never blocks: when {@code maxQueued} requests are already waiting it fails the returned future
 * at once with UNAVAILABLE, TF Serving's answer for a full queue. A request whose deadline has passed by the time a
 * worker picks it up is answered DEADLINE_EXCEEDED and never computed. Thread-safe.
 *
 * <p>This is the simple stand-in that the Disruptor micro-batcher replaces; it runs one request per
 * {@code Session.run}.
 */
public final class InferenceExecutor implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final LongSupplier nanoClock;

    /**
     * @param threads worker threads, each running one model call at a time
     * @param maxQueued requests allowed to wait for a worker before new ones are rejected
     * @param nanoClock the clock deadlines are measured on ({@code System::nanoTime} outside tests)
     */
    public InferenceExecutor(final int threads, final int maxQueued, final LongSupplier nanoClock) {
        if (threads < 1 || maxQueued < 1) {
            throw new IllegalArgumentException("threads and maxQueued must be >= 1");
        }
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(maxQueued), namedDaemonThreads("ringserve-inference-"),
                new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Schedules one unit of work, typically a model call.
     *
     * @param work the call; a {@link ModelExecutionException} it throws is mapped to the matching status
     * @param deadlineNanos the {@code nanoClock} time after which the result is no longer wanted
     * @return a future completed with the work's result, or exceptionally with a {@link ServingException};
     *     completing it early (a timeout, a cancelled call) keeps queued work from running
     */
    public <T> CompletableFuture<T> submit(final Supplier<T> work, final long deadlineNanos) {
        final CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.execute(() -> run(result, work, deadlineNanos));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new ServingException(StatusCode.UNAVAILABLE, pool.isShutdown()
                    ? "The server is shutting down; retry on another replica"
                    : "The inference queue is full (" + pool.getQueue().size() + " requests waiting); retry later"));
        }
        return result;
    }

    private <T> void run(final CompletableFuture<T> result, final Supplier<T> work, final long deadlineNanos) {
        if (result.isDone()) {
            return; // answered already (timed out or cancelled while queued)
        }
        if (nanoClock.getAsLong() - deadlineNanos > 0) {
            result.completeExceptionally(new ServingException(StatusCode.DEADLINE_EXCEEDED,
                    "Deadline exceeded while the request waited for the model"));
            return;
        }
        try {
            result.complete(work.get());
        } catch (ModelExecutionException e) {
            result.completeExceptionally(new ServingException(statusOf(e.kind()), e.getMessage(), e));
        } catch (ServingException e) {
            result.completeExceptionally(e);
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(new ServingException(StatusCode.INTERNAL, "Model call failed: " + e, e));
        }
    }

    static StatusCode statusOf(final ModelExecutionException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> StatusCode.INVALID_ARGUMENT;
            case DEADLINE_EXCEEDED -> StatusCode.DEADLINE_EXCEEDED;
            case UNIMPLEMENTED -> StatusCode.UNIMPLEMENTED;
            case INTERNAL -> StatusCode.INTERNAL;
        };
    }

    /** Now, on the clock deadlines are measured on. */
    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** Requests waiting for a worker now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /**
     * Stops taking work and waits up to {@code timeoutMillis} for queued and running requests to finish.
     *
     * @return true if everything finished in time
     */
    public boolean shutdown(final long timeoutMillis) throws InterruptedException {
        pool.shutdown();
        return pool.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    static ThreadFactory namedDaemonThreads(final String prefix) {
        final AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            final Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
