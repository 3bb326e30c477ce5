package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ringserve.models.HostTensor;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PredictOutputEncodingTest {
    private static final HostTensor FLOATS = HostTensor.ofFloats(new long[] {3, 1}, 2.5f, 3f, 4.5f);

    @Test
    void typedValuesShouldWriteFloatValAsTfServingDoesByDefault() {
        final TensorProto proto = PredictOutputEncoding.TYPED_VALUES.encode(FLOATS);
        assertThat(proto.getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(proto.getFloatValList()).containsExactly(2.5f, 3f, 4.5f);
        assertThat(proto.getTensorContent().isEmpty()).isTrue();
    }

    @Test
    void tensorContentShouldWriteTheRawLittleEndianBytesWithTheFullShape() {
        final TensorProto proto = PredictOutputEncoding.TENSOR_CONTENT.encode(FLOATS);
        final byte[] expected = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(2.5f).putFloat(3f).putFloat(4.5f).array();
        assertThat(proto.getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(proto.getTensorShape().getDimList()).extracting(TensorShapeProto.Dim::getSize)
                .containsExactly(3L, 1L);
        assertThat(proto.getTensorContent().toByteArray()).isEqualTo(expected);
        assertThat(proto.getFloatValCount()).isZero();
        // Read back as an input, it is the same tensor.
        assertThat(TensorProtoCodec.toHost("y", proto, Long.MAX_VALUE).data()).isEqualTo(FLOATS.data());
    }

    @Test
    void tensorContentShouldKeepStringsAsStringValForTheyHaveNoRawForm() {
        final HostTensor strings = HostTensor.ofStrings(new long[] {2},
                new byte[][] {"a".getBytes(StandardCharsets.UTF_8), "bc".getBytes(StandardCharsets.UTF_8)});
        final TensorProto proto = PredictOutputEncoding.TENSOR_CONTENT.encode(strings);
        assertThat(proto.getStringValList()).containsExactly(ByteString.copyFromUtf8("a"),
                ByteString.copyFromUtf8("bc"));
        assertThat(proto.getTensorContent().isEmpty()).isTrue();
    }
}
