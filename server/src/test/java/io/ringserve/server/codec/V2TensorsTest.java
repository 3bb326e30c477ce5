package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Shapes a V2 request declares are checked against the data it carries before anything is allocated for them. */
class V2TensorsTest {
    private static ByteBuffer lengthPrefixed(final String... values) {
        final ByteBuffer bytes = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        for (String value : values) {
            final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            bytes.putInt(utf8.length).put(utf8);
        }
        return bytes.flip();
    }

    @Test
    void shouldReadLengthPrefixedStrings() {
        final HostTensor tensor = V2Tensors.fromBinary("tags", DType.STRING, new long[] {2}, lengthPrefixed("a", "bc"));
        assertThat(new String(tensor.stringAt(1), StandardCharsets.UTF_8)).isEqualTo("bc");
    }

    @Test
    void shouldRefuseMoreStringsThanTheBytesCanHoldBeforeAllocatingThem() {
        // Two billion elements would be an array of 8-16 GB; 8 bytes hold at most two.
        assertThatThrownBy(() -> V2Tensors.fromBinary("tags", DType.STRING, new long[] {2_000_000_000},
                lengthPrefixed("abcd")))
                .isInstanceOfSatisfying(ServingException.class, e -> {
                    assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo("input 'tags': shape [2000000000] needs 2000000000 BYTES "
                            + "elements of at least 4 bytes each; binary data has 8 bytes");
                });
    }

    @Test
    void shouldRefuseShapesPastWhatATensorHolds() {
        assertThatThrownBy(() -> V2Tensors.requireShape("x", new long[] {1L << 40, 1L << 40}, DType.FLOAT))
                .isInstanceOf(ServingException.class)
                .hasMessage("input 'x': shape [1099511627776, 1099511627776] holds more elements than a tensor can");
        assertThatThrownBy(() -> V2Tensors.requireShape("x", new long[] {3_000_000_000L}, DType.STRING))
                .isInstanceOf(ServingException.class)
                .hasMessage("input 'x': shape [3000000000] holds 3000000000 elements; a BYTES input holds at most "
                        + "2147483647");
        assertThat(V2Tensors.requireShape("x", new long[] {0, 1L << 40}, DType.FLOAT)).containsExactly(0, 1L << 40);
    }
}
