package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TestData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The batching runner on TF Serving's half_plus_two, with a clock the test owns. */
class BatchingModelRunnerTest {
    private static ModelRegistry registry;
    private static LoadedModel model;
    private static SignatureSpec signature;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final BatchingModelRunner runner = new BatchingModelRunner(
            m -> BatchingOptions.builder().maxBatchSize(8).numBatchThreads(1).build(),
            new DirectModelRunner(new InferenceExecutor(1, 16, now::get), (model, nanos) -> { }), meters, now::get,
            (model, nanos) -> { });

    @BeforeAll
    static void load() {
        registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        registry.add("half_plus_two", TestData.tfServing("saved_model_half_plus_two_cpu"));
        registry.loadAll();
        model = registry.get("half_plus_two").flatMap(ServedModel::latest).orElseThrow();
        signature = model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
    }

    @AfterAll
    static void unload() {
        registry.close();
    }

    @AfterEach
    void shutdown() throws InterruptedException {
        runner.shutdown(Duration.ofSeconds(10));
    }

    private CompletableFuture<Map<String, HostTensor>> run(final HostTensor x, final long deadline) {
        return runner.run(model, signature, Map.of("x", x), List.of("y"), deadline);
    }

    @Test
    void shouldAnswerThroughTheBatcher() throws Exception {
        final HostTensor y = run(HostTensor.ofFloats(new long[] {2, 1}, 1f, 5f), Long.MAX_VALUE)
                .get(10, TimeUnit.SECONDS).get("y");
        assertThat(y.shape()).containsExactly(2, 1);
        assertThat(y.floatAt(1)).isEqualTo(4.5f);
        assertThat(meters.get("inference.batches").tag("model", "half_plus_two").tag("version", "123")
                .tag("signature", "serving_default").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldPadRequestsOfDifferentLengthsIntoOneBatchWhenAsked() throws Exception {
        // Batches close when two rows are in: the two requests below share one, 3 and 1 wide.
        final BatchingModelRunner padding = new BatchingModelRunner(
                m -> BatchingOptions.builder().maxBatchSize(2).numBatchThreads(1).padVariableLengthInputs(true)
                        .closePolicy(ClosePolicy.TIMEOUT).batchTimeout(Duration.ofHours(1)).build(),
                new DirectModelRunner(new InferenceExecutor(1, 16, now::get), (model, nanos) -> { }), meters,
                now::get, (model, nanos) -> { });
        try {
            final CompletableFuture<Map<String, HostTensor>> wide = padding.run(model, signature,
                    Map.of("x", HostTensor.ofFloats(new long[] {1, 3}, 1f, 2f, 3f)), List.of("y"), Long.MAX_VALUE);
            final CompletableFuture<Map<String, HostTensor>> narrow = padding.run(model, signature,
                    Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 4f)), List.of("y"), Long.MAX_VALUE);
            final HostTensor wideY = wide.get(10, TimeUnit.SECONDS).get("y");
            assertThat(wideY.shape()).containsExactly(1, 3);
            assertThat(new float[] {wideY.floatAt(0), wideY.floatAt(1), wideY.floatAt(2)})
                    .containsExactly(2.5f, 3f, 3.5f);
            // Padded with its own first element, as TF Serving pads; the answer keeps the batch's width.
            final HostTensor narrowY = narrow.get(10, TimeUnit.SECONDS).get("y");
            assertThat(narrowY.shape()).containsExactly(1, 3);
            assertThat(new float[] {narrowY.floatAt(0), narrowY.floatAt(1), narrowY.floatAt(2)})
                    .containsExactly(4f, 4f, 4f);
            assertThat(meters.get("inference.batches").tag("model", "half_plus_two").counter().count())
                    .isEqualTo(1);
        } finally {
            padding.shutdown(Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldAnswerDeadlineExceededWithoutComputingAnExpiredRequest() {
        final CompletableFuture<Map<String, HostTensor>> late = run(HostTensor.ofFloats(new long[] {1, 1}, 1f),
                now.get() - 1);
        final ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> late.get(10, TimeUnit.SECONDS));
        assertThat(((ServingException) failure.getCause()).code()).isEqualTo(StatusCode.DEADLINE_EXCEEDED);
        assertThat(meters.get("inference.deadline.expired").counter().count()).isEqualTo(1);
        assertThat(meters.find("inference.batches").counter()).satisfiesAnyOf(
                counter -> assertThat(counter).isNull(), counter -> assertThat(counter.count()).isZero());
    }

    @Test
    void aVersionNumberLoadedAgainShouldGetQueuesOfItsOwnAndKeepThemWhenTheOldOneRetires() throws Exception {
        // The same name and version loaded twice (a config reload that moved the model to another base path): the
        // old load retires and closes while the new one serves.
        final SavedModelLoader loader = new SavedModelLoader(SessionOptions.DEFAULTS);
        final java.nio.file.Path directory = TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123");
        final LoadedModel old = loader.load("moved", 123, directory);
        final LoadedModel again = loader.load("moved", 123, directory);
        try {
            final HostTensor x = HostTensor.ofFloats(new long[] {1, 1}, 2f);
            assertThat(runOn(old, x).get("y").floatAt(0)).isEqualTo(3f);
            assertThat(runOn(again, x).get("y").floatAt(0)).isEqualTo(3f);
            old.close(); // its session gone: a queue of old's would fail the request
            assertThat(runOn(again, x).get("y").floatAt(0)).as("on its own queue and session").isEqualTo(3f);
            runner.retire(old);
            assertThat(runOn(again, x).get("y").floatAt(0)).as("its queue outlives old's").isEqualTo(3f);
            assertThat(meters.get("inference.queue.depth").tag("model", "moved").gauges())
                    .as("one queue-depth gauge, the live queue's").hasSize(1);
            assertThat(meters.get("inference.batches").tag("model", "moved").counter().count())
                    .as("the live queue's counters, which share old's tags, stay").isEqualTo(4);
        } finally {
            runner.retire(again);
            again.close();
        }
        assertThat(meters.find("inference.queue.depth").tag("model", "moved").gauges()).isEmpty();
        assertThat(meters.find("inference.batches").tag("model", "moved").counters())
                .as("a retired version's series leave the scrape").isEmpty();
        assertThat(meters.getMeters()).noneMatch(meter -> "moved".equals(meter.getId().getTag("model")));
    }

    @Test
    void aRetiredVersionOrAShutRunnerShouldAnswerUnavailableAndMakeNoQueue() throws Exception {
        final LoadedModel late = new SavedModelLoader(SessionOptions.DEFAULTS).load("late", 123,
                TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123"));
        try {
            final HostTensor x = HostTensor.ofFloats(new long[] {1, 1}, 2f);
            assertThat(runOn(late, x).get("y").floatAt(0)).isEqualTo(3f);
            runner.retire(late);
            // A request that held its version past the drain timeout comes after its queues are gone.
            final ExecutionException unloaded = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> runOn(late, x));
            assertThat(((ServingException) unloaded.getCause()).code()).isEqualTo(StatusCode.UNAVAILABLE);
            assertThat(unloaded.getCause()).hasMessageContaining("version 123 of model late was unloaded");
            assertThat(meters.find("inference.queue.depth").tag("model", "late").gauges()).isEmpty();
            runner.shutdown(Duration.ofSeconds(10));
            final ExecutionException shutDown = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> run(x, Long.MAX_VALUE).get(10, TimeUnit.SECONDS));
            assertThat(((ServingException) shutDown.getCause()).code()).isEqualTo(StatusCode.UNAVAILABLE);
        } finally {
            late.close();
        }
    }

    @Test
    void aVersionRetiredWhileItsQueueIsMadeShouldAnswerUnavailableAndLeaveNoQueue() throws Exception {
        // retire() marks the version, then sweeps its queues: a request between the two that makes a queue after
        // the sweep passed must close that queue itself. The mark lands here while the queue is being made.
        final LoadedModel racing = new SavedModelLoader(SessionOptions.DEFAULTS).load("racing", 123,
                TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123"));
        final BatchingModelRunner marking = new BatchingModelRunner(m -> {
            m.markRetired();
            return BatchingOptions.builder().maxBatchSize(8).numBatchThreads(1).build();
        }, new DirectModelRunner(new InferenceExecutor(1, 16, now::get), (model, nanos) -> { }), meters, now::get,
                (model, nanos) -> { });
        try {
            final ExecutionException unloaded = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> marking.run(racing, racing.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(),
                            Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 2f)), List.of("y"), Long.MAX_VALUE)
                            .get(10, TimeUnit.SECONDS));
            assertThat(((ServingException) unloaded.getCause()).code()).isEqualTo(StatusCode.UNAVAILABLE);
            assertThat(unloaded.getCause()).hasMessageContaining("version 123 of model racing was unloaded");
            awaitNoQueue("racing");
        } finally {
            marking.shutdown(Duration.ofSeconds(10));
            racing.close();
        }
    }

    @Test
    void aShutdownWhileAQueueIsMadeShouldAnswerUnavailableAndLeaveNoQueue() throws Exception {
        final BatchingModelRunner[] shutting = new BatchingModelRunner[1];
        shutting[0] = new BatchingModelRunner(m -> {
            try {
                shutting[0].shutdown(Duration.ofSeconds(10)); // its sweep finds no queue: this one is being made
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return BatchingOptions.builder().maxBatchSize(8).numBatchThreads(1).build();
        }, new DirectModelRunner(new InferenceExecutor(1, 16, now::get), (model, nanos) -> { }), meters, now::get,
                (model, nanos) -> { });
        final ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> shutting[0].run(model, signature, Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 2f)),
                        List.of("y"), Long.MAX_VALUE).get(10, TimeUnit.SECONDS));
        assertThat(((ServingException) refused.getCause()).code()).isEqualTo(StatusCode.UNAVAILABLE);
        assertThat(refused.getCause()).hasMessageContaining("shutting down");
        awaitNoQueue("half_plus_two");
    }

    /** Waits (up to 10 s) for the queue-depth gauge of {@code model} to go: its queue is closed off the caller. */
    private void awaitNoQueue(final String model) throws InterruptedException {
        for (int i = 0; i < 1000 && !meters.find("inference.queue.depth").tag("model", model).gauges().isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertThat(meters.find("inference.queue.depth").tag("model", model).gauges())
                .as("the queue made meanwhile was closed").isEmpty();
    }

    private Map<String, HostTensor> runOn(final LoadedModel version, final HostTensor x) throws Exception {
        return runner.run(version, version.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(), Map.of("x", x),
                List.of("y"), Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRunRequestsThatCannotBeBatchedAlone() throws Exception {
        final HostTensor scalar = HostTensor.ofFloats(new long[0], 3f);
        final HostTensor y = run(scalar, Long.MAX_VALUE).get(10, TimeUnit.SECONDS).get("y");
        assertThat(y.rank()).isZero();
        assertThat(y.floatAt(0)).isEqualTo(3.5f);
        assertThat(meters.find("inference.batches").counter()).isNull();
    }

    @Test
    void shouldAnswerInvalidArgumentWhenTensorFlowRejectsTheBatch() {
        final SignatureSpec regress = model.signature("regress_x_to_y").orElseThrow();
        final CompletableFuture<Map<String, HostTensor>> bad = runner.run(model, regress,
                Map.of("inputs", HostTensor.ofStrings(new long[] {1}, new byte[][] {{1, 2, 3}})), List.of("outputs"),
                Long.MAX_VALUE);
        final ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> bad.get(10, TimeUnit.SECONDS));
        assertThat(((ServingException) failure.getCause()).code()).isEqualTo(StatusCode.INVALID_ARGUMENT);
    }

    @Test
    void shouldHandABatchsAnswersToTheirEventLoopInOneTask() throws Exception {
        final CountingEventLoop loop = new CountingEventLoop();
        // The batch thread waits after its first batch until eight more requests are queued: they form one batch of
        // eight (the maximum), whose answers all go to one event loop.
        final CountDownLatch queued = new CountDownLatch(1);
        final BatchingModelRunner held = new BatchingModelRunner(
                m -> BatchingOptions.builder().maxBatchSize(8).numBatchThreads(1).build(),
                new DirectModelRunner(new InferenceExecutor(1, 16, now::get), (model, nanos) -> { }), meters, now::get,
                (model, nanos) -> awaitUninterruptibly(queued));
        try {
            // Answered inside the first batch, before the batch thread waits: the eight below cannot join it.
            held.run(model, signature, Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 0f)), List.of("y"),
                    Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
            final List<CompletableFuture<Float>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                final CompletableFuture<Float> onLoop = new CompletableFuture<>();
                held.run(model, signature, Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, i)), List.of("y"),
                        Long.MAX_VALUE).whenCompleteAsync((y, failure) -> {
                            if (loop.inEventLoop()) {
                                onLoop.complete(y.get("y").floatAt(0));
                            } else {
                                onLoop.completeExceptionally(new AssertionError("answered off the event loop"));
                            }
                        }, AnswerHandoff.to(loop));
                answers.add(onLoop);
            }
            queued.countDown();
            for (int i = 0; i < 8; i++) {
                assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i / 2f + 2f);
            }
            assertThat(meters.get("inference.batches").counter().count()).isEqualTo(2);
            assertThat(loop.executes).hasValue(1);
        } finally {
            held.shutdown(Duration.ofSeconds(10));
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void awaitUninterruptibly(final CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
