package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TestData;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batcher-only load on TF Serving's half_plus_two, through the real batcher and TensorFlow. */
@Timeout(60)
class InProcessBatcherLoadTest {
    private static final BatchingOptions OPTIONS = BatchingOptions.builder().maxBatchSize(8)
            .batchTimeout(Duration.ZERO).maxEnqueuedBatches(4).numBatchThreads(1).build();

    @Test
    void shouldKeepRequestsInFlightThroughTheBatcherAndCountTheAnswers() throws Exception {
        final LoadResult result = InProcessBatcherLoad.measure(TestData.tfServing("saved_model_half_plus_two_cpu"),
                SignatureSpec.DEFAULT_KEY, SessionOptions.DEFAULTS, OPTIONS, 8, Duration.ofMillis(300),
                Duration.ofMillis(700));
        // Each answer sends the next: more answers than the 8 first requests could give (usually thousands; a batch
        // of half_plus_two takes well under a millisecond, but the machine may be slow).
        assertThat(result.requests()).isGreaterThan(16);
        assertThat(result.errors()).isZero();
        assertThat(result.rowsPerRequest()).isEqualTo(1);
        assertThat(result.percentileMicros(50)).isPositive();
    }

    @Test
    void shouldCountRequestsTheQueueCannotHoldAsRejected() throws Exception {
        // 40 in flight against a queue of 2 batches x 8 rows: the rest are refused at once and counted as shed.
        final BatchingOptions small = BatchingOptions.builder().maxBatchSize(8).batchTimeout(Duration.ZERO)
                .maxEnqueuedBatches(2).numBatchThreads(1).build();
        final LoadResult result = InProcessBatcherLoad.measure(TestData.tfServing("saved_model_half_plus_two_cpu"),
                SignatureSpec.DEFAULT_KEY, SessionOptions.DEFAULTS, small, 40, Duration.ofMillis(300),
                Duration.ofMillis(700));
        assertThat(result.rejected()).isPositive().isEqualTo(result.errors());
        assertThat(result.requests()).isPositive();
    }

    @Test
    void shouldRunOnceAndRefuseARequestThatCannotBeBatched() throws Exception {
        try (ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS))) {
            registry.add("half_plus_two", TestData.tfServing("saved_model_half_plus_two_cpu"));
            registry.loadAll();
            final LoadedModel model = registry.get("half_plus_two").flatMap(ServedModel::latest).orElseThrow();
            final SignatureSpec signature = model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
            assertThatThrownBy(() -> new InProcessBatcherLoad(model, signature, OPTIONS,
                    Map.of("x", HostTensor.ofFloats(new long[0], 1f))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot go through a batch");
            try (InProcessBatcherLoad load = new InProcessBatcherLoad(model, signature, OPTIONS,
                    Map.of("x", HostTensor.ofFloats(new long[] {1}, 1f)))) {
                load.run("once", 2, Duration.ZERO, Duration.ofMillis(200));
                assertThatThrownBy(() -> load.run("twice", 2, Duration.ZERO, Duration.ofMillis(200)))
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }
}
