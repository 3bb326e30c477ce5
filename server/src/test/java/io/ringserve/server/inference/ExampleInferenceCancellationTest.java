package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TestData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Classify and Regress hand their callers a future derived from the model work: failing it (the client cancelled,
 * the request timed out) must reach the work, which the runner then drops if it is still queued.
 */
class ExampleInferenceCancellationTest {
    private static LoadedModel model;
    /** The model work handed out, never completed by the runner itself. */
    private final List<CompletableFuture<Map<String, HostTensor>>> work = new ArrayList<>();
    private final ExampleInference examples = new ExampleInference(new ModelRunner() {
        @Override
        public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel version, final SignatureSpec signature,
                                                              final Map<String, HostTensor> inputs,
                                                              final List<String> outputs, final long deadlineNanos) {
            final CompletableFuture<Map<String, HostTensor>> queued = new CompletableFuture<>();
            work.add(queued);
            return queued;
        }

        @Override
        public boolean shutdown(final Duration drain) {
            return true;
        }
    }, SignatureMethodCheck.OFF);

    @BeforeAll
    static void load() {
        model = new SavedModelLoader(SessionOptions.DEFAULTS).load("half_plus_two", 123,
                TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static List<byte[]> oneExample() {
        return List.of("not parsed: the runner never runs it".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void failingAClassificationShouldFailItsModelWork() {
        final var classified = examples.classify(model, model.signature("classify_x_to_y").orElseThrow(),
                oneExample(), Long.MAX_VALUE);
        classified.completeExceptionally(new ServingException(StatusCode.CANCELLED, "The client cancelled the call"));
        assertThat(work).singleElement().satisfies(queued -> assertThat(queued).isCompletedExceptionally());
    }

    @Test
    void failingARegressionShouldFailItsModelWork() {
        final var regressed = examples.regress(model, model.signature("regress_x_to_y").orElseThrow(),
                oneExample(), Long.MAX_VALUE);
        regressed.completeExceptionally(new ServingException(StatusCode.DEADLINE_EXCEEDED, "timed out"));
        assertThat(work).singleElement().satisfies(queued -> assertThat(queued).isCompletedExceptionally());
    }

    @Test
    void workThatFailsByItselfShouldFailTheDerivedFutureAsBefore() {
        final var regressed = examples.regress(model, model.signature("regress_x_to_y").orElseThrow(),
                oneExample(), Long.MAX_VALUE);
        work.get(0).completeExceptionally(new ServingException(StatusCode.INVALID_ARGUMENT, "bad example"));
        assertThat(regressed).isCompletedExceptionally();
    }
}
