package io.ringserve.models.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoModelGeneratorTest {
    @TempDir
    static Path repository;
    private static ModelRegistry registry;

    @BeforeAll
    static void generateAndLoad() {
        DemoModelGenerator.writeAll(repository);
        registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        for (String name : DemoModelGenerator.MODEL_NAMES) {
            registry.add(name, repository.resolve(name));
        }
        registry.loadAll();
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static Map<String, HostTensor> run(final String model, final Map<String, HostTensor> inputs) {
        final var loaded = registry.get(model).flatMap(ServedModel::latest).orElseThrow();
        final SignatureSpec signature = loaded.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        return loaded.run(signature, inputs, List.copyOf(signature.outputs().keySet()));
    }

    @Test
    void shouldLoadEveryDemoModel() {
        assertThat(registry.allAvailable()).isTrue();
    }

    @Test
    void halfPlusTwoShouldComputeHalfXPlusTwo() {
        final HostTensor y = run("half_plus_two", Map.of("x", HostTensor.ofFloats(new long[] {3}, 1f, 2f, 5f)))
                .get("y");
        assertThat(new float[] {y.floatAt(0), y.floatAt(1), y.floatAt(2)}).containsExactly(2.5f, 3f, 4.5f);
    }

    @Test
    void mlpShouldReturnTenProbabilitiesPerRow() {
        final float[] x = new float[2 * 784];
        final Random random = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        final HostTensor p = run("mlp", Map.of("x", HostTensor.ofFloats(new long[] {2, 784}, x)))
                .get("probabilities");
        assertThat(p.shape()).containsExactly(2, 10);
        for (int row = 0; row < 2; row++) {
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                sum += p.floatAt(row * 10 + k);
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void cnnShouldClassifyImages() {
        final HostTensor p = run("cnn", Map.of("image", HostTensor.ofFloats(new long[] {1, 32, 32, 3},
                new float[32 * 32 * 3]))).get("probabilities");
        assertThat(p.shape()).containsExactly(1, 10);
    }

    @Test
    void multiIoShouldComputeEveryOutput() {
        final Map<String, HostTensor> out = run("multi_io", Map.of(
                "features", HostTensor.ofFloats(new long[] {2, 4}, 1, 2, 3, 4, -1, -2, -3, -4),
                "ids", HostTensor.ofLongs(new long[] {2}, 41, 99),
                "tags", HostTensor.ofStrings(new long[] {2}, new byte[][] {
                    "ab".getBytes(StandardCharsets.UTF_8), {(byte) 0xff}})));
        assertThat(out.get("score").floatAt(0)).isEqualTo(10f);
        assertThat(out.get("next_ids").longAt(1)).isEqualTo(100L);
        assertThat(out.get("tag_length").intAt(0)).isEqualTo(2);
        assertThat(out.get("positive").dtype()).isEqualTo(DType.BOOL);
        assertThat(out.get("positive").boolAt(0)).isTrue();
        assertThat(out.get("positive").boolAt(1)).isFalse();
        assertThat(out.get("tags_bytes").stringAt(1)).containsExactly((byte) 0xff);
    }

    @Test
    void signatureInputsAndOutputsShouldComeInTheOrderOfTheirNames() {
        // TensorFlow's own order changes from one process to the next; clients see this one (KServe V2 outputs).
        final SignatureSpec signature = registry.get("multi_io").flatMap(ServedModel::latest).orElseThrow()
                .signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        assertThat(signature.inputs().keySet()).containsExactly("features", "ids", "tags");
        assertThat(signature.outputAliases()).containsExactly("next_ids", "positive", "score", "tag_length",
                "tags_bytes");
    }

    @Test
    void shouldBeDeterministic(@TempDir final Path other) throws Exception {
        DemoModelGenerator.writeAll(other);
        final Path a = repository.resolve("mlp/1/variables/variables.data-00000-of-00001");
        final Path b = other.resolve("mlp/1/variables/variables.data-00000-of-00001");
        assertThat(java.nio.file.Files.mismatch(a, b)).isEqualTo(-1L);
    }
}
