package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Element and byte counts of shapes a request declares, which must never wrap around. */
class HostTensorTest {
    @Test
    void shouldCountElementsAndBytes() {
        assertThat(HostTensor.numElements(new long[] {})).isEqualTo(1);
        assertThat(HostTensor.numElements(new long[] {3, 0, 5})).isZero();
        assertThat(HostTensor.byteSize(DType.DOUBLE, new long[] {2, 3})).isEqualTo(48);
    }

    @Test
    void shouldRefuseElementCountsPastALong() {
        assertThatThrownBy(() -> HostTensor.numElements(new long[] {1L << 32, 1L << 32}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [4294967296, 4294967296] has more elements than a tensor can hold");
    }

    @Test
    void shouldRefuseByteCountsPastALong() {
        assertThatThrownBy(() -> HostTensor.byteSize(DType.FLOAT, new long[] {1L << 62}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [4611686018427387904] of FLOAT has more bytes than a tensor can hold");
    }

    @Test
    void shouldNotTakeAnEmptyBufferForAShapeWhoseByteCountWrapsToZero() {
        // 2^62 floats are 2^64 bytes, which a long multiplication wraps to 0.
        assertThatThrownBy(() -> HostTensor.of(DType.FLOAT, new long[] {1L << 62}, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBoundElementsByWhatOneJavaArrayHolds() {
        assertThat(HostTensor.maxElements(DType.STRING)).isEqualTo(Integer.MAX_VALUE);
        assertThat(HostTensor.maxElements(DType.FLOAT)).isEqualTo(Integer.MAX_VALUE / 4);
        assertThat(HostTensor.maxElements(DType.UINT8)).isEqualTo(Integer.MAX_VALUE);
    }
}
