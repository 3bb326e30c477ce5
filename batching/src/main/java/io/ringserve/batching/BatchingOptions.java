package io.ringserve.batching;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link BatchScheduler} forms batches; immutable. Field names and defaults follow TF Serving's
 * {@code BatchingParameters}.
 *
 * <ul>
 *   <li>{@code maxBatchSize} (1000): most rows in one batch.</li>
 *   <li>{@code batchTimeout} (0): with {@link ClosePolicy#TIMEOUT}, how long a batch may wait to fill after its
 *       first task. Ignored by {@link ClosePolicy#ADAPTIVE}, which never holds a task back while a thread is free.</li>
 *   <li>{@code maxEnqueuedBatches} (10): the queue holds at most {@code maxEnqueuedBatches * maxBatchSize} rows;
 *       a task that does not fit is rejected at once.</li>
 *   <li>{@code numBatchThreads} (CPU count): batches processed at once.</li>
 *   <li>{@code allowedBatchSizes} (empty): if set, a batch is padded up to the next allowed size; the last must
 *       equal {@code maxBatchSize} (or {@code maxExecutionBatchSize} with splitting).</li>
 *   <li>{@code enableLargeBatchSplitting} (false) and {@code maxExecutionBatchSize} (= maxBatchSize): tasks up to
 *       {@code maxBatchSize} rows are accepted and cut into slices of at most {@code maxExecutionBatchSize} rows.</li>
 *   <li>{@code padVariableLengthInputs} (false): requests whose inputs differ in dimensions past the first may share a
 *       batch, each input padded up to the batch's largest with its own first element, as TF Serving pads.</li>
 * </ul>
 */
public final class BatchingOptions {
    private final int maxBatchSize;
    private final Duration batchTimeout;
    private final int maxEnqueuedBatches;
    private final int numBatchThreads;
    private final List<Integer> allowedBatchSizes;
    private final boolean enableLargeBatchSplitting;
    private final int maxExecutionBatchSize;
    private final ClosePolicy closePolicy;
    private final boolean padVariableLengthInputs;

    private BatchingOptions(final Builder b) {
        this.maxBatchSize = b.maxBatchSize;
        this.batchTimeout = b.batchTimeout;
        this.maxEnqueuedBatches = b.maxEnqueuedBatches;
        this.numBatchThreads = b.numBatchThreads;
        this.allowedBatchSizes = List.copyOf(b.allowedBatchSizes);
        this.enableLargeBatchSplitting = b.enableLargeBatchSplitting;
        this.maxExecutionBatchSize = b.maxExecutionBatchSize == 0 ? b.maxBatchSize : b.maxExecutionBatchSize;
        this.closePolicy = b.closePolicy;
        this.padVariableLengthInputs = b.padVariableLengthInputs;
        validate();
    }

    private void validate() {
        require(maxBatchSize >= 1, "max_batch_size must be >= 1, got " + maxBatchSize);
        require(!batchTimeout.isNegative(), "batch_timeout_micros must be >= 0");
        require(maxEnqueuedBatches >= 1, "max_enqueued_batches must be >= 1, got " + maxEnqueuedBatches);
        require(numBatchThreads >= 1, "num_batch_threads must be >= 1, got " + numBatchThreads);
        require(maxExecutionBatchSize >= 1 && maxExecutionBatchSize <= maxBatchSize,
                "max_execution_batch_size must be in [1, max_batch_size], got " + maxExecutionBatchSize);
        require(enableLargeBatchSplitting || maxExecutionBatchSize == maxBatchSize,
                "max_execution_batch_size needs enable_large_batch_splitting");
        require(!(padVariableLengthInputs && enableLargeBatchSplitting), "pad_variable_length_inputs cannot be "
                + "combined with enable_large_batch_splitting: the parts of a split request could be padded to "
                + "different widths");
        require((long) maxEnqueuedBatches * maxBatchSize <= (1 << 30),
                "max_enqueued_batches * max_batch_size must be <= 2^30");
        if (!allowedBatchSizes.isEmpty()) {
            int previous = 0;
            for (int size : allowedBatchSizes) {
                require(size > previous, "allowed_batch_sizes must be positive and increasing: " + allowedBatchSizes);
                previous = size;
            }
            require(previous == maxExecutionBatchSize, "the last of allowed_batch_sizes must equal "
                    + (enableLargeBatchSplitting ? "max_execution_batch_size" : "max_batch_size") + " ("
                    + maxExecutionBatchSize + "): " + allowedBatchSizes);
        }
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public Duration batchTimeout() {
        return batchTimeout;
    }

    public int maxEnqueuedBatches() {
        return maxEnqueuedBatches;
    }

    public int numBatchThreads() {
        return numBatchThreads;
    }

    public List<Integer> allowedBatchSizes() {
        return allowedBatchSizes;
    }

    public boolean enableLargeBatchSplitting() {
        return enableLargeBatchSplitting;
    }

    /** The most rows one batch runs with: {@code maxBatchSize} unless splitting sets it lower. */
    public int maxExecutionBatchSize() {
        return maxExecutionBatchSize;
    }

    public ClosePolicy closePolicy() {
        return closePolicy;
    }

    /**
     * Whether requests whose inputs differ past dimension 0 share batches, padded ({@code pad_variable_length_inputs}).
     */
    public boolean padVariableLengthInputs() {
        return padVariableLengthInputs;
    }

    /** Rows the queue holds at most. */
    public int queueCapacityRows() {
        return maxEnqueuedBatches * maxBatchSize;
    }

    /** The size a batch of {@code rows} runs at: the next allowed size, or {@code rows} itself. */
    public int paddedSize(final int rows) {
        for (int allowed : allowedBatchSizes) {
            if (allowed >= rows) {
                return allowed;
            }
        }
        return rows;
    }

    @Override
    public String toString() {
        return "BatchingOptions{max_batch_size=" + maxBatchSize + ", batch_timeout_micros="
                + batchTimeout.toNanos() / 1000 + ", max_enqueued_batches=" + maxEnqueuedBatches
                + ", num_batch_threads=" + numBatchThreads + ", allowed_batch_sizes=" + allowedBatchSizes
                + ", enable_large_batch_splitting=" + enableLargeBatchSplitting + ", max_execution_batch_size="
                + maxExecutionBatchSize + ", pad_variable_length_inputs=" + padVariableLengthInputs
                + ", close_policy=" + closePolicy + "}";
    }

    /** Builds {@link BatchingOptions}; {@link #build()} checks the combination. Not thread-safe. */
    public static final class Builder {
        private int maxBatchSize = 1000;
        private Duration batchTimeout = Duration.ZERO;
        private int maxEnqueuedBatches = 10;
        private int numBatchThreads = Runtime.getRuntime().availableProcessors();
        private List<Integer> allowedBatchSizes = List.of();
        private boolean enableLargeBatchSplitting;
        private int maxExecutionBatchSize;
        private ClosePolicy closePolicy = ClosePolicy.ADAPTIVE;
        private boolean padVariableLengthInputs;

        private Builder() {
        }

        public Builder maxBatchSize(final int value) {
            this.maxBatchSize = value;
            return this;
        }

        public Builder batchTimeout(final Duration value) {
            this.batchTimeout = Objects.requireNonNull(value, "batchTimeout");
            return this;
        }

        public Builder maxEnqueuedBatches(final int value) {
            this.maxEnqueuedBatches = value;
            return this;
        }

        public Builder numBatchThreads(final int value) {
            this.numBatchThreads = value;
            return this;
        }

        public Builder allowedBatchSizes(final List<Integer> value) {
            this.allowedBatchSizes = List.copyOf(value);
            return this;
        }

        public Builder enableLargeBatchSplitting(final boolean value) {
            this.enableLargeBatchSplitting = value;
            return this;
        }

        /** 0 (the default) means {@code maxBatchSize}. */
        public Builder maxExecutionBatchSize(final int value) {
            this.maxExecutionBatchSize = value;
            return this;
        }

        public Builder closePolicy(final ClosePolicy value) {
            this.closePolicy = Objects.requireNonNull(value, "closePolicy");
            return this;
        }

        public Builder padVariableLengthInputs(final boolean value) {
            this.padVariableLengthInputs = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the TF Serving parameter that is out of range */
        public BatchingOptions build() {
            return new BatchingOptions(this);
        }
    }
}
