/**
 * The micro-batcher: turns many small concurrent tasks into few large batches without making a lone task wait.
 *
 * <p>The public API is small: a {@link io.ringserve.batching.BatchTask} is what callers enqueue, a
 * {@link io.ringserve.batching.BatchScheduler} forms {@link io.ringserve.batching.Batch}es from them according to
 * {@link io.ringserve.batching.BatchingOptions} (TF Serving's and Triton's vocabulary), and a
 * {@link io.ringserve.batching.BatchProcessor} runs each batch. The Disruptor ring buffer that carries tasks from
 * producers to batch threads stays in {@code internal}. This module depends on the JDK, the Disruptor, slf4j and
 * the Micrometer facade only; the build enforces it.
 */
package io.ringserve.batching;
