package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.Batch;
import io.ringserve.batching.TaskSlice;
import io.ringserve.batching.Ticker;
import io.ringserve.models.demo.DemoModelGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches run through real models give every task exactly the rows it would get running alone. */
class ModelBatchProcessorTest {
    @TempDir
    static Path repository;
    private static ModelRegistry registry;

    @BeforeAll
    static void load() {
        DemoModelGenerator.writeAll(repository);
        registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        registry.add("mlp", repository.resolve("mlp"));
        registry.add("multi_io", repository.resolve("multi_io"));
        registry.add("matrix", TestData.tfServing("batching_matrix_half_plus_two"));
        registry.add("lookup", TestModels.writeLookup(repository.resolve("lookup")));
        registry.loadAll();
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static LoadedModel model(final String name) {
        return registry.get(name).flatMap(ServedModel::latest).orElseThrow();
    }

    private static HostTensor randomRows(final int rows, final int width, final long seed) {
        final Random random = new Random(seed);
        final float[] values = new float[rows * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        return HostTensor.ofFloats(new long[] {rows, width}, values);
    }

    private static Map<String, HostTensor> alone(final LoadedModel model, final Map<String, HostTensor> inputs) {
        final SignatureSpec signature = model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        return model.run(signature, inputs, List.copyOf(signature.outputs().keySet()));
    }

    private static Map<String, HostTensor> result(final InferenceTask task) throws Exception {
        return task.result().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldGiveEachTaskItsOwnRowsOfAPaddedBatch() throws Exception {
        final LoadedModel mlp = model("mlp");
        final ModelBatchProcessor processor = new ModelBatchProcessor(mlp,
                mlp.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(), Ticker.system(), () -> { });
        final InferenceTask a = new InferenceTask(Map.of("x", randomRows(1, 784, 1)), Long.MAX_VALUE);
        final InferenceTask b = new InferenceTask(Map.of("x", randomRows(3, 784, 2)), Long.MAX_VALUE);
        final InferenceTask c = new InferenceTask(Map.of("x", randomRows(2, 784, 3)), Long.MAX_VALUE);
        processor.process(new Batch<>(List.of(new TaskSlice<>(a, 0, 1), new TaskSlice<>(b, 0, 3),
                new TaskSlice<>(c, 0, 2)), 8));
        for (InferenceTask task : List.of(a, b, c)) {
            final HostTensor batched = result(task).get("probabilities");
            final HostTensor single = alone(mlp, task.inputs()).get("probabilities");
            assertThat(batched.shape()).containsExactly(single.shape());
            for (int i = 0; i < single.numElements(); i++) {
                assertThat(batched.floatAt(i)).isCloseTo(single.floatAt(i), org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    private static InferenceTask lookup(final long... ids) {
        return new InferenceTask(Map.of("ids", HostTensor.ofLongs(new long[] {ids.length}, ids)), Long.MAX_VALUE);
    }

    @Test
    void shouldFailOnlyTheTaskWhoseValuesFailTheBatch() throws Exception {
        final LoadedModel lookup = model("lookup");
        final AtomicInteger reruns = new AtomicInteger();
        final ModelBatchProcessor processor = new ModelBatchProcessor(lookup,
                lookup.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(), Ticker.system(), reruns::incrementAndGet);
        final InferenceTask good = lookup(1, 2);
        final InferenceTask bad = lookup(3, 12);
        final InferenceTask goodToo = lookup(9);
        processor.process(new Batch<>(List.of(new TaskSlice<>(good, 0, 2), new TaskSlice<>(bad, 0, 2),
                new TaskSlice<>(goodToo, 0, 1)), 8));
        assertThat(result(good).get("vectors").shape()).containsExactly(2, 2);
        assertThat(result(good).get("vectors").floatAt(2)).isEqualTo(2f);
        assertThat(result(goodToo).get("vectors").floatAt(1)).isEqualTo(-9f);
        assertThat(bad.result()).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(ModelExecutionException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ModelExecutionException.Kind.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("12 is not in [0, 10)");
                });
        assertThat(reruns).hasValue(1);
    }

    @Test
    void shouldFindEveryTaskAtFaultByHalvingTheBatch() throws Exception {
        final LoadedModel lookup = model("lookup");
        final ModelBatchProcessor processor = new ModelBatchProcessor(lookup,
                lookup.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(), Ticker.system(), () -> { });
        final List<InferenceTask> tasks = List.of(lookup(0), lookup(11), lookup(2), lookup(3, 4), lookup(5),
                lookup(6), lookup(7), lookup(8, -3));
        final InferenceTask cancelled = lookup(9);
        cancelled.result().cancel(false);
        final List<TaskSlice<InferenceTask>> slices = new ArrayList<>();
        for (InferenceTask task : tasks) {
            slices.add(new TaskSlice<>(task, 0, task.size()));
        }
        slices.add(new TaskSlice<>(cancelled, 0, 1));
        processor.process(new Batch<>(slices, 11));
        for (int i : new int[] {0, 2, 3, 4, 5, 6}) {
            final long firstId = tasks.get(i).inputs().get("ids").longAt(0);
            assertThat(result(tasks.get(i)).get("vectors").floatAt(0)).as("task %d", i).isEqualTo((float) firstId);
        }
        for (int i : new int[] {1, 7}) {
            assertThat(tasks.get(i).result()).as("task %d", i).failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class).havingCause()
                    .isInstanceOf(ModelExecutionException.class).withMessageContaining("is not in [0, 10)");
        }
    }

    @Test
    void shouldFailALoneTaskWhoseValuesFailItsBatchWithoutThrowing() {
        final LoadedModel lookup = model("lookup");
        final ModelBatchProcessor processor = new ModelBatchProcessor(lookup,
                lookup.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(), Ticker.system(), () -> { });
        final InferenceTask bad = lookup(-1);
        // The request's own fault: its task fails; the scheduler sees no failure of the server's to log.
        processor.process(new Batch<>(List.of(new TaskSlice<>(bad, 0, 1)), 1));
        assertThat(bad.result()).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(ModelExecutionException.class).withMessageContaining("-1 is not in [0, 10)");
    }

    @Test
    void shouldAssembleATaskSplitAcrossBatches() throws Exception {
        final LoadedModel matrix = model("matrix");
        final ModelBatchProcessor processor = new ModelBatchProcessor(matrix,
                matrix.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(), Ticker.system(), () -> { });
        final String input = matrix.signature(SignatureSpec.DEFAULT_KEY).orElseThrow().inputs().keySet()
                .iterator().next();
        final float[] values = new float[3 * 9];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        final InferenceTask split = new InferenceTask(Map.of(input, HostTensor.ofFloats(new long[] {3, 3, 3},
                values)), Long.MAX_VALUE);
        processor.process(new Batch<>(List.of(new TaskSlice<>(split, 0, 2)), 2));
        assertThat(split.result()).isNotDone();
        processor.process(new Batch<>(List.of(new TaskSlice<>(split, 2, 1)), 1));
        final HostTensor out = result(split).values().iterator().next();
        assertThat(out.shape()).containsExactly(3, 3, 3);
        for (int i = 0; i < values.length; i++) {
            assertThat(out.floatAt(i)).isEqualTo(0.5f * i + 2);
        }
    }

    @Test
    void shouldBatchStringAndIntegerInputsAndOutputs() throws Exception {
        final LoadedModel multi = model("multi_io");
        final ModelBatchProcessor processor = new ModelBatchProcessor(multi,
                multi.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(), Ticker.system(), () -> { });
        final InferenceTask a = task(new float[] {1, 1, 1, 1}, new long[] {10}, "a");
        final InferenceTask b = task(new float[] {-1, 0, 0, 0, 2, 2, 2, 2}, new long[] {20, 30}, "bb", "ccc");
        processor.process(new Batch<>(List.of(new TaskSlice<>(a, 0, 1), new TaskSlice<>(b, 0, 2)), 4));
        assertThat(result(a).get("next_ids").longAt(0)).isEqualTo(11);
        assertThat(result(b).get("next_ids").shape()).containsExactly(2);
        assertThat(result(b).get("next_ids").longAt(1)).isEqualTo(31);
        assertThat(new String(result(b).get("tags_bytes").stringAt(1), StandardCharsets.UTF_8)).isEqualTo("ccc");
        assertThat(result(b).get("tag_length").intAt(0)).isEqualTo(2);
        assertThat(result(b).get("positive").boolAt(0)).isFalse();
        assertThat(result(b).get("score").floatAt(1)).isEqualTo(8f);
    }

    private static InferenceTask task(final float[] features, final long[] ids, final String... tags) {
        final byte[][] tagBytes = new byte[tags.length][];
        for (int i = 0; i < tags.length; i++) {
            tagBytes[i] = tags[i].getBytes(StandardCharsets.UTF_8);
        }
        return new InferenceTask(Map.of(
                "features", HostTensor.ofFloats(new long[] {ids.length, 4}, features),
                "ids", HostTensor.ofLongs(new long[] {ids.length}, ids),
                "tags", HostTensor.ofStrings(new long[] {ids.length}, tagBytes)), Long.MAX_VALUE);
    }

    @Test
    void shouldTellWhichInputsCanBeBatched() {
        assertThat(InferenceTask.isBatchable(Map.of("x", HostTensor.ofFloats(new long[] {2, 1}, 1, 2)))).isTrue();
        assertThat(InferenceTask.isBatchable(Map.of("x", HostTensor.ofFloats(new long[0], 1)))).isFalse();
        assertThat(InferenceTask.isBatchable(Map.of("x", HostTensor.ofFloats(new long[] {0, 1})))).isFalse();
        assertThat(InferenceTask.isBatchable(Map.of("a", HostTensor.ofFloats(new long[] {2}, 1, 2),
                "b", HostTensor.ofFloats(new long[] {1}, 1)))).isFalse();
    }

    @Test
    void shouldKeepTasksWithDifferentInnerShapesApart() {
        final InferenceTask narrow = new InferenceTask(Map.of("x", randomRows(1, 3, 1)), Long.MAX_VALUE);
        final InferenceTask wide = new InferenceTask(Map.of("x", randomRows(1, 4, 1)), Long.MAX_VALUE);
        final InferenceTask narrowToo = new InferenceTask(Map.of("x", randomRows(5, 3, 1)), Long.MAX_VALUE);
        assertThat(narrow.compatibilityKey()).isNotEqualTo(wide.compatibilityKey())
                .isEqualTo(narrowToo.compatibilityKey());
    }
}
