package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the guard lets through to TensorFlow and what it refuses, on declared shapes of every kind. */
class InputShapeGuardTest {
    private static final SignatureSpec SIGNATURE = new SignatureSpec("serving_default", "tensorflow/serving/predict",
            Map.of("image", input("image", -1, 32, 32, 3), "x", input("x", -1, 1),
                    "any", new TensorSpec("any", "any:0", "DT_FLOAT", 1,
                            Optional.of(new TensorSpec.Shape(List.of(), List.of(), true))),
                    "undeclared", new TensorSpec("undeclared", "undeclared:0", "DT_FLOAT", 1, Optional.empty())),
            Map.of());

    private static TensorSpec input(final String alias, final long... dims) {
        final List<Long> sizes = java.util.Arrays.stream(dims).boxed().toList();
        return new TensorSpec(alias, alias + ":0", "DT_FLOAT", 1,
                Optional.of(new TensorSpec.Shape(sizes, Collections.nCopies(sizes.size(), ""), false)));
    }

    private static HostTensor zeros(final long... shape) {
        long elements = 1;
        for (long size : shape) {
            elements *= size;
        }
        return HostTensor.of(io.ringserve.models.DType.FLOAT, shape, ByteBuffer.allocate((int) elements * 4));
    }

    private static String refusal(final String alias, final HostTensor tensor) {
        final ServingException refused = InputShapeGuard.check(SIGNATURE, Map.of(alias, tensor));
        if (refused == null) {
            return null;
        }
        assertThat(refused.code()).isEqualTo(StatusCode.INVALID_ARGUMENT);
        return refused.getMessage();
    }

    @Test
    void shouldLetThroughWhatTheSignatureDeclaresWithAnyBatch() {
        assertThat(refusal("image", zeros(2, 32, 32, 3))).isNull();
        assertThat(refusal("image", zeros(0, 32, 32, 3))).isNull();
    }

    @Test
    void shouldRefuseAnotherRankForInputsOfThreeOrMoreDimensions() {
        assertThat(refusal("image", zeros(1))).isEqualTo(
                "Input 'image' has shape [1], of rank 1, but the signature declares [-1, 32, 32, 3], of rank 4");
        assertThat(refusal("image", zeros(1, 32, 32))).contains("has shape [1, 32, 32], of rank 3");
        assertThat(refusal("image", zeros(1, 1, 32, 32, 3))).contains("has shape [1, 1, 32, 32, 3], of rank 5");
    }

    @Test
    void shouldLeaveSizesToTheGraphAsTfServingDoes() {
        // A model exported at one image size may serve others; TensorFlow refuses sizes that do not fit.
        assertThat(refusal("image", zeros(1, 64, 48, 3))).isNull();
        assertThat(refusal("image", zeros(1, 32, 32, 4))).isNull();
    }

    @Test
    void shouldLeaveShapesOfFewerDimensionsToTheGraphAsTfServingDoes() {
        // TF Serving's own tests feed [2] and [2,2] to half_plus_two's [-1,1].
        assertThat(refusal("x", zeros(2))).isNull();
        assertThat(refusal("x", zeros(2, 2))).isNull();
        assertThat(refusal("any", zeros(1, 2, 3))).isNull();
        assertThat(refusal("undeclared", zeros(1, 2, 3))).isNull();
    }

    @Test
    void shouldRefuseMoreDimensionsThanTensorFlowAllowsWhateverTheDeclaration() {
        final long[] ones = new long[InputShapeGuard.MAX_RANK + 1];
        java.util.Arrays.fill(ones, 1);
        assertThat(refusal("any", zeros(ones))).isEqualTo(
                "Input 'any' has 255 dimensions; TensorFlow allows at most 254");
        assertThat(refusal("any", zeros(java.util.Arrays.copyOf(ones, InputShapeGuard.MAX_RANK)))).isNull();
    }
}
