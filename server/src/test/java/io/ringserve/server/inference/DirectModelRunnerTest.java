package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TestData;
import io.ringserve.models.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unbatched model calls on the real inference executor. */
class DirectModelRunnerTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60) // without the call's timeout the one worker would stay blocked and the second call never run
    void aCallStillRunningAtItsDeadlineShouldBeCancelledAndFreeItsWorker() throws Exception {
        try (ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
             InferenceExecutor executor = new InferenceExecutor(1, 4, System::nanoTime)) {
            registry.add("blocking", TestModels.writeBlocking(dir.resolve("blocking")));
            registry.add("half_plus_two", TestData.tfServing("saved_model_half_plus_two_cpu"));
            registry.loadAll();
            final DirectModelRunner runner = new DirectModelRunner(executor, (model, nanos) -> { });
            final LoadedModel blocking = registry.get("blocking").flatMap(ServedModel::latest).orElseThrow();
            final LoadedModel halfPlusTwo = registry.get("half_plus_two").flatMap(ServedModel::latest).orElseThrow();

            final CompletableFuture<Map<String, HostTensor>> blocked = runner.run(blocking, signature(blocking),
                    Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 1f)), List.of("y"),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
            final CompletableFuture<Map<String, HostTensor>> next = runner.run(halfPlusTwo, signature(halfPlusTwo),
                    Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 4f)), List.of("y"),
                    System.nanoTime() + TimeUnit.MINUTES.toNanos(1));

            assertThat(blocked).failsWithin(30, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(ServingException.class,
                            e -> assertThat(e.code()).isEqualTo(StatusCode.DEADLINE_EXCEEDED));
            assertThat(next.get(30, TimeUnit.SECONDS).get("y").floatAt(0)).isEqualTo(4f);
        }
    }

    private static SignatureSpec signature(final LoadedModel model) {
        return model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
    }
}
