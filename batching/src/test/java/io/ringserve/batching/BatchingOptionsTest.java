package io.ringserve.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchingOptionsTest {
    @Test
    void shouldDefaultToTfServingsValues() {
        final BatchingOptions options = BatchingOptions.builder().build();
        assertThat(options.maxBatchSize()).isEqualTo(1000);
        assertThat(options.batchTimeout()).isEqualTo(Duration.ZERO);
        assertThat(options.maxEnqueuedBatches()).isEqualTo(10);
        assertThat(options.closePolicy()).isEqualTo(ClosePolicy.ADAPTIVE);
        assertThat(options.maxExecutionBatchSize()).isEqualTo(1000);
        assertThat(options.queueCapacityRows()).isEqualTo(10_000);
    }

    @Test
    void shouldPadToTheNextAllowedSize() {
        final BatchingOptions options = BatchingOptions.builder().maxBatchSize(8)
                .allowedBatchSizes(List.of(1, 2, 4, 8)).build();
        assertThat(options.paddedSize(1)).isEqualTo(1);
        assertThat(options.paddedSize(3)).isEqualTo(4);
        assertThat(options.paddedSize(5)).isEqualTo(8);
        assertThat(BatchingOptions.builder().maxBatchSize(8).build().paddedSize(5)).isEqualTo(5);
    }

    @Test
    void shouldNameTheParameterThatIsWrong() {
        assertThatThrownBy(() -> BatchingOptions.builder().maxBatchSize(0).build())
                .hasMessageContaining("max_batch_size");
        assertThatThrownBy(() -> BatchingOptions.builder().maxBatchSize(8).allowedBatchSizes(List.of(2, 4)).build())
                .hasMessageContaining("allowed_batch_sizes").hasMessageContaining("max_batch_size");
        assertThatThrownBy(() -> BatchingOptions.builder().maxBatchSize(8).allowedBatchSizes(List.of(4, 2, 8))
                .build()).hasMessageContaining("increasing");
        assertThatThrownBy(() -> BatchingOptions.builder().maxBatchSize(8).maxExecutionBatchSize(4).build())
                .hasMessageContaining("enable_large_batch_splitting");
        assertThatThrownBy(() -> BatchingOptions.builder().numBatchThreads(0).build())
                .hasMessageContaining("num_batch_threads");
        assertThatThrownBy(() -> BatchingOptions.builder().maxEnqueuedBatches(0).build())
                .hasMessageContaining("max_enqueued_batches");
        assertThatThrownBy(() -> BatchingOptions.builder().padVariableLengthInputs(true)
                .enableLargeBatchSplitting(true).build())
                .hasMessageContaining("pad_variable_length_inputs").hasMessageContaining("enable_large_batch_splitting");
    }
}
