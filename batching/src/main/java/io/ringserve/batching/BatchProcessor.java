package io.ringserve.batching;

/**
 * Runs one batch: computes every slice and completes each task whose last slice it holds.
 *
 * <p>Called on one of the scheduler's batch threads; up to {@link BatchingOptions#numBatchThreads()} calls run at
 * once, so implementations must be thread-safe. The call may block (it is where the model runs). If it throws, the
 * scheduler fails every task of the batch with that exception and carries on with the next batch; tasks already
 * completed ignore the failure.
 *
 * @param <T> the task type
 */
@FunctionalInterface
public interface BatchProcessor<T extends BatchTask> {
    void process(Batch<T> batch) throws Exception;
}
