package io.ringserve.batching;

/** When a batch that is not yet full closes. */
public enum ClosePolicy {
    /**
     * As soon as a batch thread is free it takes whatever is waiting (up to the maximum batch size): a lone task
     * never waits for company, and under load whatever arrived while the previous batch ran forms the next one.
     * The default.
     */
    ADAPTIVE,
    /**
     * A free batch thread waits up to {@link BatchingOptions#batchTimeout()} after the batch's first task for the
     * batch to fill, as TF Serving's {@code batch_timeout_micros} does.
     */
    TIMEOUT
}
