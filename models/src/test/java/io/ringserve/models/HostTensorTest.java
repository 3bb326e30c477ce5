package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
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

    @Test
    void shouldPadRowsWithTheTensorsFirstElement() {
        // [[1, 2], [3, 4], [5, 6]], rows 1 and 2 grown to 3 columns.
        final HostTensor x = HostTensor.ofFloats(new long[] {3, 2}, 1, 2, 3, 4, 5, 6);
        final HostTensor padded = x.padRows(1, 2, new long[] {3});
        assertThat(padded.shape()).containsExactly(2, 3);
        final float[] values = new float[6];
        for (int i = 0; i < values.length; i++) {
            values[i] = padded.floatAt(i);
        }
        assertThat(values).containsExactly(3, 4, 1, 5, 6, 1);
    }

    @Test
    void shouldPadEveryInnerDimensionOfRankThree() {
        // One row of 2 x 2 longs, grown to 3 x 3: each source run lands at its row of the larger layout.
        final HostTensor x = HostTensor.ofLongs(new long[] {1, 2, 2}, 7, 8, 9, 10);
        final HostTensor padded = x.padRows(0, 1, new long[] {3, 3});
        assertThat(padded.shape()).containsExactly(1, 3, 3);
        final long[] values = new long[9];
        for (int i = 0; i < values.length; i++) {
            values[i] = padded.longAt(i);
        }
        assertThat(values).containsExactly(7, 8, 7, 9, 10, 7, 7, 7, 7);
    }

    @Test
    void shouldPadStringsAndTensorsWithoutElements() {
        final HostTensor s = HostTensor.ofStrings(new long[] {2, 1}, new byte[][] {"a".getBytes(), "b".getBytes()});
        final HostTensor padded = s.padRows(0, 2, new long[] {2});
        assertThat(new String(padded.stringAt(0))).isEqualTo("a");
        assertThat(new String(padded.stringAt(1))).isEqualTo("a");
        assertThat(new String(padded.stringAt(2))).isEqualTo("b");
        assertThat(new String(padded.stringAt(3))).isEqualTo("a");
        final HostTensor empty = HostTensor.ofFloats(new long[] {1, 0});
        assertThat(empty.padRows(0, 1, new long[] {2}).floatAt(1)).isZero();
        assertThatThrownBy(() -> s.padRows(0, 1, new long[] {0})).isInstanceOf(IllegalArgumentException.class);
    }

    /** Seeded random shapes of rank 2 to 5, padded rows checked element by element against a direct definition. */
    @Test
    void shouldPadAnyRankAsTheDefinitionSays() {
        final Random random = new Random(20261130);
        for (int trial = 0; trial < 200; trial++) {
            final int rank = 2 + random.nextInt(4);
            final long[] shape = new long[rank];
            final long[] padded = new long[rank - 1];
            shape[0] = 1 + random.nextInt(3);
            for (int k = 1; k < rank; k++) {
                shape[k] = random.nextInt(3);
                padded[k - 1] = shape[k] + random.nextInt(3);
            }
            final long[] values = new long[(int) HostTensor.numElements(shape)];
            for (int i = 0; i < values.length; i++) {
                values[i] = 100 + i;
            }
            final HostTensor x = HostTensor.ofLongs(shape, values);
            final int from = random.nextInt((int) shape[0]);
            final int rows = 1 + random.nextInt((int) shape[0] - from);
            final HostTensor result = x.padRows(from, rows, padded);
            final long[] target = new long[rank];
            target[0] = rows;
            System.arraycopy(padded, 0, target, 1, rank - 1);
            assertThat(result.shape()).containsExactly(target);
            final long fill = values.length == 0 ? 0 : values[0];
            final long[] index = new long[rank];
            for (int i = 0; i < HostTensor.numElements(target); i++) {
                // The target index of element i, and the source element it shows, if any.
                long rest = i;
                for (int k = rank - 1; k >= 0; k--) {
                    index[k] = rest % target[k];
                    rest /= target[k];
                }
                boolean inside = true;
                long source = index[0] + from;
                for (int k = 1; k < rank; k++) {
                    inside &= index[k] < shape[k];
                    source = source * shape[k] + index[k];
                }
                assertThat(result.longAt(i)).as("trial %d, shape %s padded to %s, element %d", trial,
                        Arrays.toString(shape), Arrays.toString(target), i)
                        .isEqualTo(inside ? values[(int) source] : fill);
            }
        }
    }
}
