package io.ringserve.loadtest.jmh;

import io.ringserve.batching.BatchScheduler;
import io.ringserve.batching.BatchSchedulers;
import io.ringserve.batching.BatchTask;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.TaskRejectedException;
import io.ringserve.batching.TaskSlice;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-task cost of getting a task through a batcher and back, with an empty processor.
 *
 * <ul>
 *   <li>{@code *RoundTrip}: each thread schedules one task and waits for it, like a client with one request in
 *       flight; the score is dominated by waking threads.</li>
 *   <li>{@code *Pipelined}: each thread keeps up to {@value #WINDOW} tasks in flight, like an event loop serving many
 *       connections; the score is the batcher's own handoff cost per task.</li>
 * </ul>
 *
 * <pre>
 *  4 producer threads ──schedule──▶ batcher ──batch──▶ no-op processor ──complete──▶ producer wakes
 * </pre>
 *
 * {@code disruptor*} is ringserve's scheduler (adaptive close, one batch thread); {@code arrayBlockingQueue*} is the
 * plain take/drainTo batcher of {@link BlockingQueueBatcher}. Same batch size, same queue bound, same completion.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(4)
public class BatcherOverheadBenchmark {
    private static final int MAX_BATCH = 64;
    private static final int QUEUE = 1024;
    private static final int WINDOW = 32;

    /** The tasks one benchmark thread has in flight. */
    @State(Scope.Thread)
    public static class InFlight {
        final ArrayDeque<Task> tasks = new ArrayDeque<>();

        /** Waits for the oldest task once the window is full. */
        void add(final Task task) {
            tasks.add(task);
            if (tasks.size() >= WINDOW) {
                tasks.poll().done.join();
            }
        }

        @TearDown(Level.Iteration)
        public void drain() {
            Task task;
            while ((task = tasks.poll()) != null) {
                task.done.join();
            }
        }
    }

    /** A one-row task completed by the processor. */
    static final class Task implements BatchTask {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void fail(final Throwable cause) {
            done.completeExceptionally(cause);
        }
    }

    private BatchScheduler<Task> disruptor;
    private BlockingQueueBatcher<Task> blockingQueue;

    @Setup(Level.Trial)
    public void start() {
        disruptor = BatchSchedulers.<Task>builder(batch -> {
            for (TaskSlice<Task> slice : batch.slices()) {
                slice.task().done.complete(null);
            }
        }).options(BatchingOptions.builder().maxBatchSize(MAX_BATCH).maxEnqueuedBatches(QUEUE / MAX_BATCH)
                .numBatchThreads(1).build()).build();
        blockingQueue = new BlockingQueueBatcher<>(QUEUE, MAX_BATCH, batch -> {
            for (Task task : batch) {
                task.done.complete(null);
            }
        });
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        disruptor.close(Duration.ofSeconds(5));
        blockingQueue.close();
    }

    private Task scheduleOnDisruptor() {
        final Task task = new Task();
        while (true) {
            try {
                disruptor.schedule(task);
                return task;
            } catch (TaskRejectedException e) {
                Thread.onSpinWait();
            }
        }
    }

    private Task offerToBlockingQueue() {
        final Task task = new Task();
        while (!blockingQueue.offer(task)) {
            Thread.onSpinWait();
        }
        return task;
    }

    @Benchmark
    public void disruptorRoundTrip() {
        scheduleOnDisruptor().done.join();
    }

    @Benchmark
    public void arrayBlockingQueueRoundTrip() {
        offerToBlockingQueue().done.join();
    }

    @Benchmark
    public void disruptorPipelined(final InFlight inFlight) {
        inFlight.add(scheduleOnDisruptor());
    }

    @Benchmark
    public void arrayBlockingQueuePipelined(final InFlight inFlight) {
        inFlight.add(offerToBlockingQueue());
    }
}
