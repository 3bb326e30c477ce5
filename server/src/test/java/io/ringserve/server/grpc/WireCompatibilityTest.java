package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ringserve.models.TestData;
import io.ringserve.proto.tensorflow.SignatureDef;
import io.ringserve.proto.tensorflow.TensorProto;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.SavedModelBundle;

/**
 * The project's .proto files are written from TensorFlow's field facts; TensorFlow Java ships classes generated
 * from TensorFlow's own .proto files. Bytes written by one must read the same in the other.
 */
class WireCompatibilityTest {
    @Test
    void tensorProtoShouldRoundTripWithTensorFlowsOwnClasses() throws Exception {
        final org.tensorflow.proto.TensorProto upstream = org.tensorflow.proto.TensorProto.newBuilder()
                .setDtype(org.tensorflow.proto.DataType.DT_FLOAT)
                .setTensorShape(org.tensorflow.proto.TensorShapeProto.newBuilder()
                        .addDim(org.tensorflow.proto.TensorShapeProto.Dim.newBuilder().setSize(2).setName("batch"))
                        .addDim(org.tensorflow.proto.TensorShapeProto.Dim.newBuilder().setSize(1)))
                .addFloatVal(1.5f).addFloatVal(-2f)
                .addStringVal(ByteString.copyFromUtf8("s"))
                .addInt64Val(7).addBoolVal(true).addHalfVal(15360).addUint64Val(9)
                .setTensorContent(ByteString.copyFrom(new byte[] {1, 2, 3, 4}))
                .build();
        final TensorProto ours = TensorProto.parseFrom(upstream.toByteArray());
        assertThat(ours.getDtypeValue()).isEqualTo(1);
        assertThat(ours.getTensorShape().getDim(0).getName()).isEqualTo("batch");
        assertThat(ours.getFloatValList()).containsExactly(1.5f, -2f);
        assertThat(ours.getInt64ValList()).containsExactly(7L);
        assertThat(ours.getHalfValList()).containsExactly(15360);
        assertThat(ours.getUint64ValList()).containsExactly(9L);
        assertThat(ours.getTensorContent().toByteArray()).containsExactly(1, 2, 3, 4);
        assertThat(org.tensorflow.proto.TensorProto.parseFrom(ours.toByteArray())).isEqualTo(upstream);
    }

    @Test
    void signatureDefsOfARealSavedModelShouldReadTheSame() throws Exception {
        try (SavedModelBundle bundle = SavedModelBundle.load(
                TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123").toString(), "serve")) {
            for (Map.Entry<String, org.tensorflow.proto.SignatureDef> e
                    : bundle.metaGraphDef().getSignatureDefMap().entrySet()) {
                final SignatureDef ours = SignatureDef.parseFrom(e.getValue().toByteArray());
                assertThat(ours.getMethodName()).isEqualTo(e.getValue().getMethodName());
                assertThat(ours.getInputsMap().keySet()).isEqualTo(e.getValue().getInputsMap().keySet());
                e.getValue().getInputsMap().forEach((alias, info) -> {
                    assertThat(ours.getInputsOrThrow(alias).getName()).isEqualTo(info.getName());
                    assertThat(ours.getInputsOrThrow(alias).getDtypeValue()).isEqualTo(info.getDtypeValue());
                    assertThat(ours.getInputsOrThrow(alias).getTensorShape().toByteArray())
                            .isEqualTo(info.getTensorShape().toByteArray());
                });
                assertThat(org.tensorflow.proto.SignatureDef.parseFrom(ours.toByteArray())).isEqualTo(e.getValue());
            }
        }
    }
}
