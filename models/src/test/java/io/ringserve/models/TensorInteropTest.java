package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.tensorflow.Tensor;

class TensorInteropTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT", "DOUBLE", "INT32", "INT64", "UINT8", "BOOL", "UINT16",
        "HALF", "BFLOAT16"})
    void shouldRoundTripFixedWidthTypesThroughTensorFlow(final DType dtype) {
        final long[] shape = {2, 3};
        final ByteBuffer bytes = HostTensor.allocate(6L * dtype.byteSize());
        for (int i = 0; i < bytes.capacity(); i++) {
            // BOOL must hold 0/1; other types take any pattern.
            bytes.put(i, (byte) (dtype == DType.BOOL ? i % 2 : i * 37 + 1));
        }
        final HostTensor host = HostTensor.of(dtype, shape, bytes);
        try (Tensor tensor = TensorInterop.toTensorFlow(host)) {
            assertThat(tensor.dataType().getNumber()).isEqualTo(dtype.protoNumber());
            assertThat(tensor.shape().asArray()).containsExactly(2, 3);
            final HostTensor back = TensorInterop.toHost(tensor);
            assertThat(back.dtype()).isEqualTo(dtype);
            assertThat(back.shape()).containsExactly(2, 3);
            assertThat(back.data()).isEqualTo(host.data());
        }
    }

    @Test
    void shouldRoundTripStringsIncludingBinaryAndEmpty() {
        final byte[][] values = {"héllo".getBytes(StandardCharsets.UTF_8), new byte[0], {0, (byte) 0xff, 10}};
        final HostTensor host = HostTensor.ofStrings(new long[] {3}, values);
        try (Tensor tensor = TensorInterop.toTensorFlow(host)) {
            final HostTensor back = TensorInterop.toHost(tensor);
            assertThat(back.dtype()).isEqualTo(DType.STRING);
            for (int i = 0; i < values.length; i++) {
                assertThat(back.stringAt(i)).containsExactly(values[i]);
            }
        }
    }

    @Test
    void shouldHandleScalarsAndEmptyBatches() {
        try (Tensor scalar = TensorInterop.toTensorFlow(HostTensor.ofFloats(new long[0], 7f))) {
            final HostTensor back = TensorInterop.toHost(scalar);
            assertThat(back.rank()).isZero();
            assertThat(back.floatAt(0)).isEqualTo(7f);
        }
        try (Tensor empty = TensorInterop.toTensorFlow(HostTensor.ofFloats(new long[] {0, 4}))) {
            assertThat(TensorInterop.toHost(empty).shape()).containsExactly(0, 4);
        }
    }
}
