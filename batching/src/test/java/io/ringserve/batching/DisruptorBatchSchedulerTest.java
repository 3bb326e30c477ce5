package io.ringserve.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DisruptorBatchSchedulerTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RecordingProcessor processor = new RecordingProcessor();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private BatchScheduler<TestTask> scheduler;

    private BatchScheduler<TestTask> start(final BatchingOptions.Builder options) {
        scheduler = BatchSchedulers.builder(processor)
                .name("test")
                .options(options.numBatchThreads(1).build())
                .metrics(new BatchingMetrics(registry, List.of()))
                .ticker(now::get)
                .build();
        return scheduler;
    }

    @AfterEach
    void close() throws InterruptedException {
        processor.open();
        if (scheduler != null) {
            scheduler.close(Duration.ofSeconds(10));
        }
    }

    /** Sends one task through and holds the only batch thread inside the processor with it. */
    private TestTask occupyTheBatchThread() throws InterruptedException {
        processor.close();
        final TestTask blocker = new TestTask(0, 1);
        scheduler.schedule(blocker);
        assertThat(RecordingProcessor.describe(processor.awaitStarted())).containsExactly("T0x1");
        return blocker;
    }

    @Test
    void shouldRunALoneTaskAtOnceWithoutWaitingForTheTimeout() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(8).batchTimeout(Duration.ofHours(1)));
        final TestTask task = new TestTask(1, 1);
        scheduler.schedule(task);
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x1");
        assertThat(task.result.get(10, TimeUnit.SECONDS)).containsExactly(0, 1);
    }

    @Test
    void shouldFormTheNextBatchFromWhatArrivedWhileTheLastOneRan() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(4));
        occupyTheBatchThread();
        for (int i = 1; i <= 10; i++) {
            scheduler.schedule(new TestTask(i, 1));
        }
        processor.open();
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T0x1");
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x1", "T2x1", "T3x1", "T4x1");
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T5x1", "T6x1", "T7x1", "T8x1");
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T9x1", "T10x1");
        assertThat(registry.get(BatchingMetrics.BATCHES).counter().count()).isEqualTo(4);
        assertThat(registry.get(BatchingMetrics.BATCH_SIZE).summary().totalAmount()).isEqualTo(11);
    }

    @Test
    void shouldNotSplitATaskThatDoesNotFitWithoutSplitting() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(4));
        occupyTheBatchThread();
        scheduler.schedule(new TestTask(1, 3));
        scheduler.schedule(new TestTask(2, 2));
        processor.open();
        processor.next();
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x3");
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T2x2");
    }

    @Test
    void shouldWaitForTheTimeoutBeforeClosingAPartialBatch() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(3).closePolicy(ClosePolicy.TIMEOUT)
                .batchTimeout(Duration.ofMillis(10)));
        scheduler.schedule(new TestTask(1, 1));
        // The ticker stands still, so the batch cannot time out: it must still be open.
        assertThat(processor.batches.poll(50, TimeUnit.MILLISECONDS)).isNull();
        scheduler.schedule(new TestTask(2, 1));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(10) + 1);
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x1", "T2x1");
    }

    @Test
    void shouldCloseATimeoutBatchAsSoonAsItIsFull() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(3).closePolicy(ClosePolicy.TIMEOUT)
                .batchTimeout(Duration.ofHours(1)));
        for (int i = 1; i <= 3; i++) {
            scheduler.schedule(new TestTask(i, 1));
        }
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x1", "T2x1", "T3x1");
    }

    @Test
    void shouldRejectAtOnceWhenTheQueueIsFull() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(2).maxEnqueuedBatches(1));
        occupyTheBatchThread();
        scheduler.schedule(new TestTask(1, 1));
        scheduler.schedule(new TestTask(2, 1));
        assertThat(scheduler.numEnqueuedRows()).isEqualTo(2);
        assertThatThrownBy(() -> scheduler.schedule(new TestTask(3, 1)))
                .isInstanceOf(TaskRejectedException.class).hasMessageContaining("queue").hasMessageContaining("full");
        assertThat(registry.get(BatchingMetrics.REJECTED).counter().count()).isEqualTo(1);
        processor.open();
        processor.next();
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x1", "T2x1");
        scheduler.schedule(new TestTask(4, 2)); // room again
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T4x2");
    }

    @Test
    void shouldRejectATaskLargerThanAnyBatch() {
        start(BatchingOptions.builder().maxBatchSize(4));
        assertThatThrownBy(() -> scheduler.schedule(new TestTask(1, 5)))
                .isInstanceOf(TaskTooLargeException.class)
                .hasMessage("Task size 5 is larger than maximum input batch size 4");
    }

    @Test
    void shouldPadUpToTheNextAllowedBatchSize() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(8).allowedBatchSizes(List.of(2, 4, 8)));
        occupyTheBatchThread();
        scheduler.schedule(new TestTask(1, 2));
        scheduler.schedule(new TestTask(2, 1));
        processor.open();
        final Batch<TestTask> first = processor.next();
        assertThat(first.size()).isEqualTo(1);
        assertThat(first.paddedSize()).isEqualTo(2);
        final Batch<TestTask> second = processor.next();
        assertThat(second.size()).isEqualTo(3);
        assertThat(second.paddedSize()).isEqualTo(4);
    }

    @Test
    void shouldSplitATaskLargerThanTheExecutionBatchSize() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(8).enableLargeBatchSplitting(true).maxExecutionBatchSize(4));
        occupyTheBatchThread();
        final TestTask large = new TestTask(1, 6);
        scheduler.schedule(large);
        scheduler.schedule(new TestTask(2, 1));
        processor.open();
        processor.next();
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x6[0+4]");
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x6[4+2]", "T2x1");
        assertThat(large.result.get(10, TimeUnit.SECONDS)).containsExactly(4, 2);
    }

    @Test
    void shouldDropExpiredAndCancelledTasksWithoutProcessingThem() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(8));
        occupyTheBatchThread();
        final TestTask expiring = new TestTask(1, 1, now.get() + 10, BatchTask.ANY_BATCH);
        final TestTask cancelled = new TestTask(2, 1);
        final TestTask fine = new TestTask(3, 1);
        scheduler.schedule(expiring);
        scheduler.schedule(cancelled);
        scheduler.schedule(fine);
        cancelled.cancelled = true;
        now.addAndGet(11);
        processor.open();
        processor.next();
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T3x1");
        assertThatThrownBy(() -> expiring.result.get()).hasCauseInstanceOf(TaskExpiredException.class)
                .hasMessageContaining("Deadline exceeded");
        assertThatThrownBy(() -> cancelled.result.get()).hasCauseInstanceOf(TaskExpiredException.class)
                .hasMessageContaining("cancelled");
        assertThat(registry.get(BatchingMetrics.EXPIRED).counter().count()).isEqualTo(2);
        assertThat(scheduler.numEnqueuedTasks()).isZero();
    }

    @Test
    void shouldNeverBatchTasksWithDifferentKeys() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(8));
        occupyTheBatchThread();
        scheduler.schedule(new TestTask(1, 1, Long.MAX_VALUE, "a"));
        scheduler.schedule(new TestTask(2, 1, Long.MAX_VALUE, "a"));
        scheduler.schedule(new TestTask(3, 1, Long.MAX_VALUE, "b"));
        scheduler.schedule(new TestTask(4, 1, Long.MAX_VALUE, "a"));
        processor.open();
        processor.next();
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T1x1", "T2x1");
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T3x1");
        assertThat(RecordingProcessor.describe(processor.next())).containsExactly("T4x1");
    }

    @Test
    void shouldFailOnlyTheBatchWhoseProcessorThrew() throws Exception {
        scheduler = BatchSchedulers.<TestTask>builder(batch -> {
            for (TaskSlice<TestTask> slice : batch.slices()) {
                if (slice.task().id == 13) {
                    throw new IllegalStateException("unlucky batch");
                }
                slice.task().result.complete(new int[0]);
            }
        }).options(BatchingOptions.builder().maxBatchSize(1).numBatchThreads(1).build()).build();
        final TestTask unlucky = new TestTask(13, 1);
        final TestTask next = new TestTask(14, 1);
        scheduler.schedule(unlucky);
        scheduler.schedule(next);
        final ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> unlucky.result.get(10, TimeUnit.SECONDS));
        assertThat(failure.getCause()).hasMessage("unlucky batch");
        assertThat(next.result.get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void shouldDrainQueuedTasksOnCloseAndRefuseNewOnes() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(2));
        occupyTheBatchThread();
        final TestTask queued = new TestTask(1, 1);
        scheduler.schedule(queued);
        processor.open();
        assertThat(scheduler.close(Duration.ofSeconds(10))).isTrue();
        assertThat(queued.result.get(10, TimeUnit.SECONDS)).containsExactly(0, 1);
        assertThatThrownBy(() -> scheduler.schedule(new TestTask(2, 1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReportQueueDepth() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(4));
        occupyTheBatchThread();
        scheduler.schedule(new TestTask(1, 2));
        scheduler.schedule(new TestTask(2, 1));
        assertThat(registry.get(BatchingMetrics.QUEUE_DEPTH).gauge().value()).isEqualTo(2);
        assertThat(scheduler.numEnqueuedRows()).isEqualTo(3);
    }

    @Test
    void shouldDropTasksCancelledWhileTheirTimeoutBatchWasForming() throws Exception {
        start(BatchingOptions.builder().maxBatchSize(3).closePolicy(ClosePolicy.TIMEOUT)
                .batchTimeout(Duration.ofMillis(10)));
        final TestTask leaving = new TestTask(1, 1);
        scheduler.schedule(leaving);
        scheduler.schedule(new TestTask(2, 1));
        // Both taken into the forming batch (the ticker stands still: it waits for a third) before one leaves.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (scheduler.numEnqueuedTasks() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(scheduler.numEnqueuedTasks()).isZero();
        assertThat(processor.batches.poll()).isNull();
        leaving.cancelled = true;
        scheduler.schedule(new TestTask(3, 1));
        final Batch<TestTask> batch = processor.next();
        assertThat(RecordingProcessor.describe(batch)).containsExactly("T2x1", "T3x1");
        assertThat(batch.size()).isEqualTo(2);
        assertThatThrownBy(() -> leaving.result.get()).hasCauseInstanceOf(TaskExpiredException.class);
        assertThat(registry.get(BatchingMetrics.EXPIRED).counter().count()).isEqualTo(1);
    }
}
