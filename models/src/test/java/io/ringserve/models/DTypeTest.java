package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DTypeTest {
    @Test
    void shouldNameEveryTypeInTensorFlowAndKServeV2() {
        assertThat(DType.FLOAT.v2Datatype()).isEqualTo("FP32");
        assertThat(DType.HALF.v2Datatype()).isEqualTo("FP16");
        assertThat(DType.BFLOAT16.v2Datatype()).isEqualTo("BF16");
        assertThat(DType.STRING.v2Datatype()).isEqualTo("BYTES");
        for (DType type : DType.values()) {
            assertThat(DType.fromProtoName(type.protoName())).contains(type);
            assertThat(DType.fromV2Datatype(type.v2Datatype())).contains(type);
        }
        assertThat(DType.fromProtoName("DT_RESOURCE")).isEmpty();
        assertThat(DType.fromV2Datatype("FLOAT")).isEmpty();
    }
}
