package io.ringserve.server.codec;

import static io.ringserve.server.codec.TestSignatures.input;
import static io.ringserve.server.codec.TestSignatures.signature;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Shapes deduced for KServe V2 raw binary requests, and Triton's refusals. */
class V2RawInputTest {
    private static ByteBuffer floats(final int count) {
        final ByteBuffer bytes = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            bytes.putFloat(i);
        }
        return bytes.flip();
    }

    @Test
    void aBatchedInputShouldTakeOneRowAndItsOneUnknownDimensionFromTheLength() {
        final HostTensor row = V2RawInput.read("m", signature(input("x", DType.FLOAT, -1, 784)), floats(784))
                .get("x");
        assertThat(row.shape()).containsExactly(1, 784);
        assertThat(row.floatAt(783)).isEqualTo(783f);
        assertThat(V2RawInput.read("m", signature(input("x", DType.FLOAT, -1, -1, 3)), floats(12)).get("x").shape())
                .containsExactly(1, 4, 3);
        assertThat(V2RawInput.read("m", signature(input("x", DType.FLOAT, 2, -1)), floats(6)).get("x").shape())
                .as("no batch dimension: the unknown one is deduced").containsExactly(2, 3);
    }

    @Test
    void aStringInputShouldBeOneElementTheWholeBody() {
        final HostTensor text = V2RawInput.read("m", signature(input("s", DType.STRING, -1)),
                ByteBuffer.wrap("héllo".getBytes(StandardCharsets.UTF_8))).get("s");
        assertThat(text.shape()).containsExactly(1);
        assertThat(new String(text.stringAt(0), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThatThrownBy(() -> V2RawInput.read("m", signature(input("s", DType.STRING, -1, 2)), floats(1)))
                .isInstanceOf(ServingException.class)
                .hasMessage("For BYTE datatype raw input 's', the model must have input shape [1]");
    }

    @Test
    void whatCannotBeDeducedShouldBeRefusedInTritonsWords() {
        assertThatThrownBy(() -> V2RawInput.read("m", signature(input("a", DType.FLOAT, -1), input("b", DType.FLOAT,
                -1), input("c", DType.FLOAT, -1)), floats(1)))
                .hasMessage("Raw request must only have 1 input (found 1) to be deduced but got 3 inputs in 'm' "
                        + "model signature 'serving_default'");
        assertThatThrownBy(() -> V2RawInput.read("m", signature(input("x", DType.FLOAT, -1, -1, -1)), floats(4)))
                .hasMessage("The shape of the raw input 'x' can not be deduced because there are more than one "
                        + "variable-sized dimension");
        assertThatThrownBy(() -> V2RawInput.read("m", signature(input("x", DType.FLOAT, -1, 3)), floats(4)))
                .hasMessage("The raw input 'x' has 16 bytes, but shape [1, 3] of FP32 needs 12");
        assertThatThrownBy(() -> V2RawInput.read("m", signature(input("x", DType.FLOAT, -1, -1, 3)), floats(4)))
                .hasMessage("The raw input 'x' has 16 bytes, but shape [1, -1, 3] of FP32 takes a multiple of 12");
    }
}
