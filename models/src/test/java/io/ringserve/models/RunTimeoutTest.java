package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.batching.Batch;
import io.ringserve.batching.TaskSlice;
import io.ringserve.batching.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LoadedModel#run(SignatureSpec, Map, List, Duration)} and batches on a SavedModel whose signature blocks for
 * ever (it dequeues from a queue nothing fills): TensorFlow cancels the call at the timeout (a batch's: the last of
 * its tasks' deadlines) and the version stays usable.
 */
class RunTimeoutTest {
    @TempDir
    Path dir;

    /** A registry serving the blocking model as {@code blocking}; the caller closes it. */
    private ModelRegistry loadBlocking() {
        final ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        registry.add("blocking", TestModels.writeBlocking(dir.resolve("blocking")));
        registry.loadAll();
        return registry;
    }

    @Test
    @Timeout(60) // without the run timeout the call would block for ever
    void aCallPastItsTimeoutShouldBeCancelledAndTheVersionStayUsable() {
        try (ModelRegistry registry = loadBlocking()) {
            final LoadedModel model = registry.get("blocking").flatMap(ServedModel::latest).orElseThrow();
            final SignatureSpec signature = model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
            final Map<String, HostTensor> zeros = SyntheticWarmup.zeros(signature, 1);
            for (int call = 0; call < 2; call++) {
                assertThatThrownBy(() -> model.run(signature, zeros, List.of("y"), Duration.ofMillis(100)))
                        .isInstanceOfSatisfying(ModelExecutionException.class, e -> assertThat(e.kind())
                                .isEqualTo(ModelExecutionException.Kind.DEADLINE_EXCEEDED))
                        .hasMessageContaining("Timed out");
            }
            assertThat(model.stateChangingOp(signature)).as("a dequeue changes the queue: never warmed on zeros")
                    .hasValueSatisfying(op -> assertThat(op).endsWith("(QueueDequeueV2)"));
        }
    }

    @Test
    @Timeout(60) // without the batch's run timeout the batch thread would block for ever
    void aBatchShouldBeCancelledOnceTheLastDeadlineOfItsTasksHasPassed() {
        try (ModelRegistry registry = loadBlocking()) {
            final LoadedModel model = registry.get("blocking").flatMap(ServedModel::latest).orElseThrow();
            final SignatureSpec signature = model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
            final long now = System.nanoTime();
            final InferenceTask soon = new InferenceTask(SyntheticWarmup.zeros(signature, 1),
                    now + TimeUnit.MILLISECONDS.toNanos(50));
            final InferenceTask later = new InferenceTask(SyntheticWarmup.zeros(signature, 1),
                    now + TimeUnit.MILLISECONDS.toNanos(300));
            final ModelBatchProcessor processor = new ModelBatchProcessor(model, signature, Ticker.system(),
                    () -> { });
            assertThatThrownBy(() -> processor.process(new Batch<>(List.of(new TaskSlice<>(soon, 0, 1),
                    new TaskSlice<>(later, 0, 1)), 2)))
                    .isInstanceOfSatisfying(ModelExecutionException.class, e -> assertThat(e.kind())
                            .isEqualTo(ModelExecutionException.Kind.DEADLINE_EXCEEDED));
            assertThat(System.nanoTime() - now).as("cancelled at the later deadline, not the sooner one")
                    .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    @Test
    void shouldTimeACallByTheDeadlineOfItsRequests() {
        assertThat(RunTimeouts.until(5_000_000, 1_000_000)).isEqualTo(Duration.ofMillis(4));
        assertThat(RunTimeouts.until(1_000_000, 1_000_000)).as("at least a millisecond").isEqualTo(Duration.ofMillis(1));
        assertThat(RunTimeouts.until(0, 1_000_000)).as("passed already").isEqualTo(Duration.ofMillis(1));
        assertThat(RunTimeouts.until(TimeUnit.DAYS.toNanos(365), 0)).as("a year away: no limit").isZero();
        assertThat(RunTimeouts.until(Long.MAX_VALUE, -5)).as("overflowing: no limit").isZero();
        assertThat(RunTimeouts.until(Long.MIN_VALUE, 5)).as("overflowing the other way: passed")
                .isEqualTo(Duration.ofMillis(1));
    }
}
