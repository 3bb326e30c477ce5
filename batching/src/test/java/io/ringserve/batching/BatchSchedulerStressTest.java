package io.ringserve.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many producers, several batch threads, splitting, padding and two compatibility keys at once: every task is
 * answered exactly once, and every row comes back to the task it came from, at its own offset.
 */
@Timeout(120)
class BatchSchedulerStressTest {
    private static final int PRODUCERS = 8;
    private static final int TASKS_PER_PRODUCER = 2_000;

    /** A task whose rows carry its id; the processor writes each row's doubled value back to it. */
    static final class RowTask implements BatchTask {
        final int id;
        final int size;
        final String key;
        final int[] output;
        final AtomicInteger rowsAnswered = new AtomicInteger();
        final AtomicInteger completions = new AtomicInteger();
        final CountDownLatch done;

        RowTask(final int id, final int size, final String key, final CountDownLatch done) {
            this.id = id;
            this.size = size;
            this.key = key;
            this.output = new int[size];
            this.done = done;
        }

        int input(final int row) {
            return id * 100 + row;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Object compatibilityKey() {
            return key;
        }

        @Override
        public void fail(final Throwable cause) {
            completions.incrementAndGet();
            done.countDown();
        }

        void complete() {
            completions.incrementAndGet();
            done.countDown();
        }
    }

    /** Concatenates the slices' rows, "runs" the batch (doubling), pads, and splits the results back. */
    private static void process(final Batch<RowTask> batch) {
        final Object key = batch.slices().get(0).task().compatibilityKey();
        final int[] input = new int[batch.paddedSize()];
        int row = 0;
        for (TaskSlice<RowTask> slice : batch.slices()) {
            assertThat(slice.task().compatibilityKey()).isEqualTo(key);
            for (int r = 0; r < slice.rows(); r++) {
                input[row++] = slice.task().input(slice.offset() + r);
            }
        }
        assertThat(row).isEqualTo(batch.size());
        final int[] output = new int[input.length];
        for (int i = 0; i < input.length; i++) {
            output[i] = input[i] * 2;
        }
        row = 0;
        for (TaskSlice<RowTask> slice : batch.slices()) {
            final RowTask task = slice.task();
            System.arraycopy(output, row, task.output, slice.offset(), slice.rows());
            row += slice.rows();
            if (task.rowsAnswered.addAndGet(slice.rows()) == task.size) {
                task.complete();
            }
        }
    }

    @Test
    void shouldAnswerEveryTaskExactlyOnceWithItsOwnRows() throws Exception {
        final BatchScheduler<RowTask> scheduler = BatchSchedulers.<RowTask>builder(
                BatchSchedulerStressTest::process)
                .name("stress")
                .options(BatchingOptions.builder().maxBatchSize(16).maxEnqueuedBatches(4).numBatchThreads(3)
                        .enableLargeBatchSplitting(true).maxExecutionBatchSize(8)
                        .allowedBatchSizes(List.of(2, 4, 8)).build())
                .build();
        final CountDownLatch done = new CountDownLatch(PRODUCERS * TASKS_PER_PRODUCER);
        final List<RowTask> tasks = new ArrayList<>();
        final ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
        final AtomicInteger rejections = new AtomicInteger();
        try {
            for (int p = 0; p < PRODUCERS; p++) {
                final Random random = new Random(p);
                final List<RowTask> mine = new ArrayList<>();
                for (int i = 0; i < TASKS_PER_PRODUCER; i++) {
                    mine.add(new RowTask(p * TASKS_PER_PRODUCER + i, 1 + random.nextInt(16),
                            random.nextBoolean() ? "a" : "b", done));
                }
                tasks.addAll(mine);
                producers.submit(() -> {
                    for (RowTask task : mine) {
                        while (true) {
                            try {
                                scheduler.schedule(task);
                                break;
                            } catch (TaskRejectedException e) {
                                rejections.incrementAndGet();
                                Thread.yield();
                            }
                        }
                    }
                });
            }
            assertThat(done.await(100, TimeUnit.SECONDS)).as("all tasks answered").isTrue();
        } finally {
            producers.shutdownNow();
            scheduler.close(Duration.ofSeconds(10));
        }
        for (RowTask task : tasks) {
            assertThat(task.completions.get()).as("completions of task %d", task.id).isEqualTo(1);
            for (int r = 0; r < task.size; r++) {
                assertThat(task.output[r]).as("row %d of task %d", r, task.id).isEqualTo(task.input(r) * 2);
            }
        }
        assertThat(scheduler.numEnqueuedTasks()).isZero();
        assertThat(scheduler.numEnqueuedRows()).isZero();
    }
}
