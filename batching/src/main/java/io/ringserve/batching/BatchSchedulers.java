package io.ringserve.batching;

import io.ringserve.batching.internal.DisruptorBatchScheduler;
import java.util.Objects;

/**
 * Creates {@link BatchScheduler}s:
 *
 * <pre>{@code
 * BatchScheduler<MyTask> scheduler = BatchSchedulers.builder(processor)
 *         .name("mlp-v1-serving_default")
 *         .options(BatchingOptions.builder().maxBatchSize(64).build())
 *         .metrics(new BatchingMetrics(registry, Tags.of("model", "mlp")))
 *         .build();
 * }</pre>
 */
public final class BatchSchedulers {
    private BatchSchedulers() {
    }

    public static <T extends BatchTask> Builder<T> builder(final BatchProcessor<T> processor) {
        return new Builder<>(processor);
    }

    /** Builds a scheduler; not thread-safe. */
    public static final class Builder<T extends BatchTask> {
        private final BatchProcessor<T> processor;
        private String name = "batcher";
        private BatchingOptions options = BatchingOptions.builder().build();
        private BatchingMetrics metrics;
        private Ticker ticker = Ticker.system();

        private Builder(final BatchProcessor<T> processor) {
            this.processor = Objects.requireNonNull(processor, "processor");
        }

        /** Names the scheduler's threads and log lines. */
        public Builder<T> name(final String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        public Builder<T> options(final BatchingOptions value) {
            this.options = Objects.requireNonNull(value, "options");
            return this;
        }

        public Builder<T> metrics(final BatchingMetrics value) {
            this.metrics = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /** The clock for deadlines and batch timeouts ({@link Ticker#system()} by default). */
        public Builder<T> ticker(final Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** Creates the scheduler and starts its batch threads. */
        public BatchScheduler<T> build() {
            return new DisruptorBatchScheduler<>(name, options, processor,
                    metrics == null ? BatchingMetrics.noop() : metrics, ticker);
        }
    }
}
