package io.ringserve.loadtest.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * The baseline the Disruptor batcher is measured against: the batcher most people write first. Producers
 * {@code offer} into an {@link ArrayBlockingQueue}; one consumer thread {@code take}s the first task and
 * {@code drainTo}s whatever else waits, up to the batch size, then runs the batch.
 */
final class BlockingQueueBatcher<T> implements AutoCloseable {
    private final BlockingQueue<T> queue;
    private final int maxBatchSize;
    private final Consumer<List<T>> processor;
    private final Thread consumer;
    private volatile boolean running = true;

    BlockingQueueBatcher(final int capacity, final int maxBatchSize, final Consumer<List<T>> processor) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatchSize = maxBatchSize;
        this.processor = processor;
        this.consumer = new Thread(this::consume, "abq-batcher");
        this.consumer.setDaemon(true);
        this.consumer.start();
    }

    /** Enqueues without blocking; false when full. */
    boolean offer(final T task) {
        return queue.offer(task);
    }

    private void consume() {
        final List<T> batch = new ArrayList<>(maxBatchSize);
        try {
            while (running) {
                batch.add(queue.take());
                queue.drainTo(batch, maxBatchSize - 1);
                processor.accept(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.interrupt();
    }
}
