package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ringserve.models.HostTensor;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** TensorFlow's fill rule for inputs sent with fewer values than their shape holds, and its bound. */
class TensorProtoCodecTest {
    private static final long LIMIT = 1 << 20;

    private static TensorProto strings(final long size, final String... values) {
        final TensorProto.Builder proto = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(size)));
        for (String value : values) {
            proto.addStringVal(ByteString.copyFromUtf8(value));
        }
        return proto.build();
    }

    @Test
    void shouldRepeatTheLastStringUpToTheShape() {
        final HostTensor tensor = TensorProtoCodec.toHost("s", strings(4, "a", "bc"), LIMIT);
        assertThat(tensor.shape()).containsExactly(4);
        assertThat(new String(tensor.stringAt(0), StandardCharsets.UTF_8)).isEqualTo("a");
        for (int i = 1; i < 4; i++) {
            assertThat(new String(tensor.stringAt(i), StandardCharsets.UTF_8)).isEqualTo("bc");
        }
    }

    @Test
    void shouldFillMissingStringsWithEmptyOnes() {
        final HostTensor tensor = TensorProtoCodec.toHost("s", strings(2), LIMIT);
        assertThat(tensor.stringAt(0)).isEmpty();
        assertThat(tensor.stringAt(1)).isEmpty();
    }

    @Test
    void shouldRefuseAStringFillPastTheLimitBeforeAllocatingIt() {
        // 2^31 - 1 references would be 16 GiB: refused from the counts alone.
        assertThatThrownBy(() -> TensorProtoCodec.toHost("s", strings(Integer.MAX_VALUE, "a"), LIMIT))
                .isInstanceOfSatisfying(ServingException.class, e -> {
                    assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo("Input 's' has 1 values for shape [2147483647]: filling in "
                            + "the other 2147483646 as TensorFlow does would take 19327352814 bytes, more than the "
                            + "1048576 a request may carry; send the values");
                });
    }

    @Test
    void shouldTakeAFillUpToTheLimit() {
        final TensorProto proto = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder()
                        .setSize(LIMIT / 4 + 1)))
                .addFloatVal(7f).build();
        final HostTensor tensor = TensorProtoCodec.toHost("x", proto, LIMIT);
        assertThat(tensor.data().getFloat((int) LIMIT)).isEqualTo(7f);
        final TensorProto oneMore = proto.toBuilder().setTensorShape(TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dim.newBuilder().setSize(LIMIT / 4 + 2))).build();
        assertThatThrownBy(() -> TensorProtoCodec.toHost("x", oneMore, LIMIT)).isInstanceOf(ServingException.class)
                .hasMessageContaining("would take 1048580 bytes, more than the 1048576");
    }
}
