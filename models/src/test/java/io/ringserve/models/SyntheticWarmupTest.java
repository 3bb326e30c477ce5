package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.models.SyntheticWarmup.Call;
import io.ringserve.models.SyntheticWarmup.Plan;
import io.ringserve.models.demo.DemoModelGenerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up on zeros, planned and run on real SavedModels: the demo models and TF Serving's test models. */
class SyntheticWarmupTest {
    @TempDir
    static Path repository;
    private static ModelRegistry registry;
    private static final List<String> WARMED = new ArrayList<>();

    @BeforeAll
    static void load() {
        DemoModelGenerator.writeAll(repository);
        final SyntheticWarmup synthetic = new SyntheticWarmup(model -> List.of(1, 64));
        registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS), model -> {
            WARMED.add(model.name());
            synthetic.warmUp(model);
        });
        registry.add("mlp", repository.resolve("mlp"));
        registry.add("multi_io", repository.resolve("multi_io"));
        registry.add("counter", TestData.tfServing("saved_model_counter"));
        registry.add("tf1", TestData.tfServing("saved_model_half_plus_two_cpu"));
        registry.add("tf2", TestData.tfServing("saved_model_half_plus_two_tf2_cpu"));
        registry.loadAll();
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static LoadedModel model(final String name) {
        return registry.get(name).flatMap(ServedModel::latest).orElseThrow();
    }

    private static Plan plan(final String name, final List<Integer> sizes) {
        final LoadedModel model = model(name);
        return SyntheticWarmup.plan(model.signatures(), sizes, model::stateChangingOp);
    }

    private static List<String> calls(final Plan plan) {
        return plan.calls().stream().map(call -> call.signature().key() + "@" + call.rows()).toList();
    }

    @Test
    void everyModelShouldServeAfterItsWarmup() {
        assertThat(WARMED).containsExactlyInAnyOrder("mlp", "multi_io", "counter", "tf1", "tf2");
        for (String name : WARMED) {
            assertThat(registry.get(name).orElseThrow().isAvailable()).as(name).isTrue();
        }
    }

    @Test
    void aBatchedSignatureShouldRunAtEveryBatchSizeOnZerosOfItsShape() {
        assertThat(calls(plan("mlp", List.of(1, 64)))).containsExactly("serving_default@1", "serving_default@64");
        assertThat(calls(plan("mlp", List.of(8, 16, 32)))).containsExactly("serving_default@8",
                "serving_default@16", "serving_default@32");
        final SignatureSpec mlp = model("mlp").signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        final Map<String, HostTensor> zeros = SyntheticWarmup.zeros(mlp, 64);
        final HostTensor input = zeros.values().iterator().next();
        assertThat(input.shape()).containsExactly(64, 784);
        assertThat(input.floatAt(0)).isZero();
        assertThat(input.floatAt(64 * 784 - 1)).isZero();
        assertThat(model("mlp").run(mlp, zeros, mlp.outputAliases()).values().iterator().next().shape())
                .containsExactly(64, 10);
    }

    @Test
    void signaturesOfFixedShapeShouldRunOnceAtItAndStringInputsBeLeftOut() {
        final Plan tf2 = plan("tf2", List.of(1, 4));
        assertThat(calls(tf2)).as("x is declared [1]: not batched").containsExactlyInAnyOrder("serving_default@1",
                "regress_x2_to_y3@1", "classify_x2_to_y3@1");
        assertThat(SyntheticWarmup.zeros(model("tf2").signature("serving_default").orElseThrow(), 4).get("x")
                .shape()).containsExactly(1);
        assertThat(tf2.leftOut()).as("TensorFlow's __saved_model_init_op is not for callers and not listed")
                .isNotEmpty().allSatisfy(reason -> assertThat(reason).contains("is a string"));
        final Plan tf1 = plan("tf1", List.of(1, 4));
        assertThat(calls(tf1)).as("x is declared [-1, 1]: batched").containsExactlyInAnyOrder("serving_default@1",
                "serving_default@4", "regress_x2_to_y3@1", "regress_x2_to_y3@4");
        assertThat(tf1.leftOut()).contains("classify_x_to_y (input 'inputs' is a string)");
    }

    @Test
    void aSignatureThatChangesTheModelsStateShouldNeverBeRunOnZeros() {
        final LoadedModel mlp = model("mlp");
        final Plan changing = SyntheticWarmup.plan(mlp.signatures(), List.of(1, 64),
                signature -> Optional.of("dense/kernel/Assign (Assign)"));
        assertThat(changing.calls()).isEmpty();
        assertThat(changing.leftOut()).containsExactly("serving_default (it changes the model's state: "
                + "dense/kernel/Assign (Assign))");
        final Plan unknown = SyntheticWarmup.plan(mlp.signatures(), List.of(1), signature -> {
            throw new IllegalStateException("graph walk failed");
        });
        assertThat(unknown.calls()).as("what cannot be checked is not run").isEmpty();
        assertThat(unknown.leftOut()).containsExactly("serving_default (cannot tell whether it changes the model's "
                + "state: graph walk failed)");
        final LoadedModel model = model("counter");
        assertThat(plan("counter", List.of(1, 64)).calls()).isEmpty();
        assertThat(model.stateChangingOp(model.signature("incr_counter_by").orElseThrow()))
                .hasValue("incr_counter_by_op/AssignAdd (AssignAdd)");
        assertThat(model.stateChangingOp(model.signature("get_counter").orElseThrow())).isEmpty();
        assertThat(model.stateChangingOp(model.signature("reset_counter").orElseThrow()))
                .hasValueSatisfying(op -> assertThat(op).endsWith("(Assign)"));
        assertThat(model("tf2").stateChangingOp(model("tf2").signature("serving_default").orElseThrow()))
                .as("reads its variables through StatefulPartitionedCall, writes none").isEmpty();
    }

    @Test
    void inputsTheWarmupCannotMakeUpShouldLeaveTheirSignatureOut() {
        final Plan plan = SyntheticWarmup.plan(List.of(
                signature("dynamic", input("x", DType.FLOAT, -1, -1)),
                signature("no_shape", new TensorSpec("x", "x:0", "DT_FLOAT", 1, Optional.empty())),
                signature("unfeedable", input("x", DType.UINT32, -1, 3)),
                signature("scalar", input("x", DType.INT64)),
                signature("fixed", input("x", DType.FLOAT, 2, 3)),
                signature("huge", input("x", DType.DOUBLE, -1, 1 << 20))), List.of(1, 64), s -> Optional.empty());
        assertThat(calls(plan)).containsExactly("scalar@1", "fixed@1", "huge@1");
        assertThat(plan.leftOut()).containsExactly("dynamic (input 'x' has an unknown dimension 1)",
                "no_shape (input 'x' has no known shape)", "unfeedable (input 'x' is DT_UINT32)",
                "huge at 64 rows (inputs over 64 MiB)");
        assertThat(SyntheticWarmup.zeros(plan.calls().get(1).signature(), 1).get("x").shape()).containsExactly(2, 3);
        assertThat(plan.calls()).extracting(Call::rows).containsOnly(1);
    }

    @Test
    void theBatchSizesShouldBeThoseTheBatcherRunsAt() {
        assertThat(SyntheticWarmup.batchSizes(BatchingOptions.builder().maxBatchSize(64).build()))
                .containsExactly(1, 64);
        assertThat(SyntheticWarmup.batchSizes(BatchingOptions.builder().maxBatchSize(64)
                .allowedBatchSizes(List.of(8, 32, 64)).build())).containsExactly(8, 32, 64);
        assertThat(SyntheticWarmup.batchSizes(BatchingOptions.builder().maxBatchSize(1).build()))
                .containsExactly(1);
    }

    @Test
    void opTypesShouldBeToldApartByWhetherTheyChangeState() {
        assertThat(List.of("AssignVariableOp", "AssignAddVariableOp", "ScatterNdUpdate", "ResourceScatterAdd",
                "ResourceApplyAdam", "LookupTableInsertV2", "LookupTableImportV2", "InitializeTableFromTextFileV2",
                "QueueEnqueueV2", "SaveV2", "WriteScalarSummary", "CountUpTo", "IteratorGetNext"))
                .allSatisfy(type -> assertThat(StateChangingOps.changesState(type)).as(type).isTrue());
        assertThat(List.of("ReadVariableOp", "ResourceGather", "ScatterNd", "TensorScatterUpdate",
                "LookupTableFindV2", "RestoreV2", "MatMul", "StatefulPartitionedCall", "RandomUniform", "VarHandleOp"))
                .allSatisfy(type -> assertThat(StateChangingOps.changesState(type)).as(type).isFalse());
    }

    private static SignatureSpec signature(final String key, final TensorSpec input) {
        return new SignatureSpec(key, "tensorflow/serving/predict", Map.of(input.alias(), input),
                Map.of("y", input("y", DType.FLOAT, -1)));
    }

    private static TensorSpec input(final String alias, final DType dtype, final long... dims) {
        final List<Long> shape = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (long dim : dims) {
            shape.add(dim);
            names.add("");
        }
        return new TensorSpec(alias, alias + ":0", "DT_" + dtype.name(), dtype.protoNumber(),
                Optional.of(new TensorSpec.Shape(shape, names, false)));
    }
}
