package io.ringserve.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch thread may come back to the ring while a producer has claimed a slot but not yet published it. Holding
 * the producer inside that window (the scheduler reads the task's size while filling the claimed slot) must only
 * delay the task, never strand it or hand out the half-filled slot.
 */
@Timeout(30)
class SchedulerPublicationTest {
    @Test
    void shouldServeATaskWhoseProducerStalledBetweenClaimAndPublish() throws Exception {
        final CountDownLatch insideClaim = new CountDownLatch(1);
        final CountDownLatch finishPublishing = new CountDownLatch(1);
        final CountDownLatch processed = new CountDownLatch(1);
        final AtomicInteger sizeCalls = new AtomicInteger();
        final BatchTask stalling = new BatchTask() {
            @Override
            public int size() {
                if (sizeCalls.incrementAndGet() == 2) { // the first call validates, the second fills the slot
                    insideClaim.countDown();
                    awaitQuietly(finishPublishing);
                }
                return 1;
            }

            @Override
            public void fail(final Throwable cause) {
            }
        };
        final CountDownLatch firstBatchRunning = new CountDownLatch(1);
        final CountDownLatch finishFirstBatch = new CountDownLatch(1);
        final BatchTask first = new BatchTask() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public void fail(final Throwable cause) {
            }
        };
        final BatchScheduler<BatchTask> scheduler = BatchSchedulers.<BatchTask>builder(batch -> {
            if (batch.slices().get(0).task() == first) {
                firstBatchRunning.countDown();
                awaitQuietly(finishFirstBatch);
            } else {
                processed.countDown();
            }
        }).options(BatchingOptions.builder().maxBatchSize(4).numBatchThreads(1).build()).build();
        try {
            scheduler.schedule(first);
            assertThat(firstBatchRunning.await(10, TimeUnit.SECONDS)).isTrue();
            final Thread producer = new Thread(() -> scheduler.schedule(stalling));
            producer.start();
            assertThat(insideClaim.await(10, TimeUnit.SECONDS)).isTrue();
            // The batch thread returns to the ring while the slot is claimed and unpublished, and must wait there.
            finishFirstBatch.countDown();
            Thread.sleep(100);
            assertThat(processed.getCount()).isEqualTo(1);
            finishPublishing.countDown();
            producer.join();
            assertThat(processed.await(10, TimeUnit.SECONDS)).as("the task was processed").isTrue();
        } finally {
            finishFirstBatch.countDown();
            finishPublishing.countDown();
            scheduler.close(Duration.ofSeconds(10));
        }
    }

    private static void awaitQuietly(final CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
