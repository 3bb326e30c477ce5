package io.ringserve.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records every batch; can hold the batch threads at a gate so that tests fill the queue while all threads are
 * busy. Completes each task whose last slice it sees with the rows it was given.
 */
final class RecordingProcessor implements BatchProcessor<TestTask> {
    final BlockingQueue<Batch<TestTask>> batches = new LinkedBlockingQueue<>();
    final BlockingQueue<Batch<TestTask>> started = new LinkedBlockingQueue<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    /** From now on, every batch waits at the gate until {@link #open()}. */
    void close() {
        gate = new CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    @Override
    public void process(final Batch<TestTask> batch) throws InterruptedException {
        started.add(batch);
        gate.await();
        batches.add(batch);
        for (TaskSlice<TestTask> slice : batch.slices()) {
            if (slice.isLastSlice()) {
                slice.task().result.complete(new int[] {slice.offset(), slice.rows()});
            }
        }
    }

    /** The next batch processed, waiting up to 10 s. */
    Batch<TestTask> next() throws InterruptedException {
        final Batch<TestTask> batch = batches.poll(10, TimeUnit.SECONDS);
        if (batch == null) {
            throw new AssertionError("no batch within 10 s");
        }
        return batch;
    }

    /** Waits until a batch thread has entered the processor with a batch, and returns that batch. */
    Batch<TestTask> awaitStarted() throws InterruptedException {
        final Batch<TestTask> batch = started.poll(10, TimeUnit.SECONDS);
        if (batch == null) {
            throw new AssertionError("no batch started within 10 s");
        }
        return batch;
    }

    static List<String> describe(final Batch<TestTask> batch) {
        final List<String> out = new ArrayList<>();
        for (TaskSlice<TestTask> slice : batch.slices()) {
            out.add(slice.isWholeTask() ? slice.task().toString()
                    : slice.task() + "[" + slice.offset() + "+" + slice.rows() + "]");
        }
        return out;
    }
}
