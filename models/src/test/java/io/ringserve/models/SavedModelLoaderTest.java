package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

class SavedModelLoaderTest {
    private final SavedModelLoader loader = new SavedModelLoader(SessionOptions.DEFAULTS);

    @ParameterizedTest
    @ValueSource(strings = {"saved_model_half_plus_two_cpu", "saved_model_half_plus_two_gpu",
        "saved_model_half_plus_two_cpu_with_saved_model_config", "saved_model_half_plus_two_2_versions"})
    void shouldComputeHalfPlusTwoWithTheTf1Models(final String model) {
        final Path base = TestData.tfServing(model);
        final var latest = VersionDirectories.latest(base).orElseThrow();
        try (LoadedModel loaded = loader.load(model, latest.getKey(), latest.getValue())) {
            final SignatureSpec signature = loaded.signature("serving_default").orElseThrow();
            assertThat(signature.inputs()).containsOnlyKeys("x");
            assertThat(signature.outputs()).containsOnlyKeys("y");
            final Map<String, HostTensor> out = loaded.run(signature,
                    Map.of("x", HostTensor.ofFloats(new long[] {3, 1}, 1f, 2f, 5f)), List.of("y"));
            final HostTensor y = out.get("y");
            assertThat(y.shape()).containsExactly(3, 1);
            assertThat(new float[] {y.floatAt(0), y.floatAt(1), y.floatAt(2)}).containsExactly(2.5f, 3f, 4.5f);
        }
    }

    @Test
    void shouldRunEveryOpInTheCallingThreadWhenInterOpParallelismIsNegative() {
        final SavedModelLoader inline = new SavedModelLoader(new SessionOptions(1, -1));
        final Path dir = TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123");
        try (LoadedModel loaded = inline.load("inline", 123, dir)) {
            final SignatureSpec signature = loaded.signature("serving_default").orElseThrow();
            final HostTensor y = loaded.run(signature, Map.of("x", HostTensor.ofFloats(new long[] {2, 1}, 4f, 6f)),
                    List.of("y")).get("y");
            assertThat(new float[] {y.floatAt(0), y.floatAt(1)}).containsExactly(4f, 5f);
        }
        assertThatThrownBy(() -> new SessionOptions(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intra-op");
    }

    @Test
    void flagsSetShouldOverrideTheBaseSessionConfigAndUnsetOnesLeaveIt() {
        final ConfigProto base = ConfigProto.newBuilder().setIntraOpParallelismThreads(4)
                .setInterOpParallelismThreads(3)
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true).setPerProcessGpuMemoryFraction(0.2))
                .build();
        final ConfigProto kept = new SavedModelLoader(new SessionOptions(0, 0, 0, List.of("serve"), base))
                .configProto();
        assertThat(kept.getIntraOpParallelismThreads()).isEqualTo(4);
        assertThat(kept.getInterOpParallelismThreads()).isEqualTo(3);
        assertThat(kept.getGpuOptions().getPerProcessGpuMemoryFraction()).isEqualTo(0.2);
        assertThat(kept.getAllowSoftPlacement()).isTrue();
        final ConfigProto overridden = new SavedModelLoader(new SessionOptions(1, -1, 0.5, List.of("serve"), base))
                .configProto();
        assertThat(overridden.getIntraOpParallelismThreads()).isEqualTo(1);
        assertThat(overridden.getInterOpParallelismThreads()).isEqualTo(-1);
        assertThat(overridden.getGpuOptions().getPerProcessGpuMemoryFraction()).isEqualTo(0.5);
        assertThat(overridden.getGpuOptions().getAllowGrowth()).as("the base's other GPU options stay").isTrue();
    }

    @Test
    void shouldRunTheTf2ModuleModel() {
        final Path dir = TestData.tfServing("saved_model_half_plus_two_tf2_cpu").resolve("00000123");
        try (LoadedModel loaded = loader.load("tf2", 123, dir)) {
            final SignatureSpec signature = loaded.signature("serving_default").orElseThrow();
            final String in = signature.inputs().keySet().iterator().next();
            final String out = signature.outputs().keySet().iterator().next();
            final HostTensor y = loaded.run(signature, Map.of(in, HostTensor.ofFloats(new long[] {1}, 4f)),
                    List.of(out)).get(out);
            assertThat(y.floatAt(0)).isEqualTo(4f);
            assertThat(loaded.signature("__saved_model_init_op")).isPresent();
        }
    }

    @Test
    void shouldReadSignatureShapesTypesAndMethodNames() {
        final Path dir = TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123");
        try (LoadedModel loaded = loader.load("m", 123, dir)) {
            assertThat(loaded.signatures()).extracting(SignatureSpec::key).contains("serving_default",
                    "classify_x_to_y", "regress_x_to_y", "regress_x_to_y2", "regress_x2_to_y3");
            final TensorSpec x = loaded.signature("serving_default").orElseThrow().inputs().get("x");
            assertThat(x.tensorName()).isEqualTo("x:0");
            assertThat(x.dtypeName()).isEqualTo("DT_FLOAT");
            assertThat(x.dtype()).contains(DType.FLOAT);
            assertThat(x.shape().orElseThrow().dims()).containsExactly(-1L, 1L);
            final SignatureSpec classify = loaded.signature("classify_x_to_y").orElseThrow();
            assertThat(classify.methodName()).isEqualTo("tensorflow/serving/classify");
            assertThat(classify.inputs().get("inputs").shape().orElseThrow().unknownRank()).isTrue();
        }
    }

    @Test
    void shouldRunAStatefulModelWithoutInputs() {
        final Path dir = TestData.tfServing("saved_model_counter").resolve("00000123");
        try (LoadedModel loaded = loader.load("counter", 123, dir)) {
            final SignatureSpec incr = loaded.signature("incr_counter").orElseThrow();
            final String out = incr.outputs().keySet().iterator().next();
            final HostTensor first = loaded.run(incr, Map.of(), List.of(out)).get(out);
            final HostTensor second = loaded.run(incr, Map.of(), List.of(out)).get(out);
            assertThat(second.floatAt(0) - first.floatAt(0)).isEqualTo(1f);
        }
    }

    @Test
    void shouldFailCleanlyOnALegacySessionBundle() {
        final Path dir = TestData.tfServing("bad_half_plus_two").resolve("00000123");
        assertThatThrownBy(() -> loader.load("bad", 123, dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("Could not find SavedModel")
                .hasMessageContaining(dir.toString());
    }

    @Test
    void shouldRejectTensorFlowErrorsAsInvalidArgument() {
        final Path dir = TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123");
        try (LoadedModel loaded = loader.load("m", 123, dir)) {
            final SignatureSpec signature = loaded.signature("regress_x_to_y").orElseThrow();
            final HostTensor notExamples = HostTensor.ofStrings(new long[] {1}, new byte[][] {{1, 2, 3}});
            assertThatThrownBy(() -> loaded.run(signature, Map.of("inputs", notExamples), List.of("outputs")))
                    .isInstanceOfSatisfying(ModelExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(ModelExecutionException.Kind.INVALID_ARGUMENT));
        }
    }

    @Test
    void shouldFailTheLoadOfAModelTensorFlowJavaRefusesRatherThanThrowAnythingElse() {
        // TF Serving's half_plus_three declares a DT_FLOAT signature input on a DT_STRING placeholder; TF Java refuses
        // such signatures with an IllegalArgumentException, which must fail this version only, as a load failure.
        final Path dir = TestData.tfServing("saved_model_half_plus_three").resolve("00000123");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.load("three", 123, dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("Failed to load SavedModel").hasMessageContaining("tf_example:0");
    }

    @Test
    void shouldLoadTheMetaGraphOfTheTagsAskedForWithTheGpuShareSet() {
        final Path dir = TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123");
        final SavedModelLoader gpuShare = new SavedModelLoader(new SessionOptions(0, 0, 0.25, List.of("serve")));
        try (LoadedModel loaded = gpuShare.load("m", 123, dir)) {
            assertThat(loaded.signature("serving_default")).isPresent();
        }
        final SavedModelLoader otherTag = new SavedModelLoader(new SessionOptions(0, 0, 0, List.of("train")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> otherTag.load("m", 123, dir))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("train");
    }
}
