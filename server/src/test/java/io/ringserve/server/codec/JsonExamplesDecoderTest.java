package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.proto.tensorflow.Example;
import io.ringserve.server.inference.ServingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** TF Serving's :classify and :regress bodies into serialized tf.Examples. */
class JsonExamplesDecoderTest {
    private static final JsonExamplesDecoder DECODER = new JsonExamplesDecoder(JsonFactories.tfServing(1 << 20));

    private static JsonExamplesDecoder.ExamplesRequest decode(final String json) {
        final byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return DECODER.decode(body, 0, body.length);
    }

    @Test
    void shouldMakeFloatsOfDecimalsInt64sOfIntegersAndBytesOfStrings() throws Exception {
        final JsonExamplesDecoder.ExamplesRequest request = decode(
                "{\"signature_name\": \"s\", \"examples\": [{\"f\": [1.5, Infinity], \"i\": 3, \"b\": \"hi\"}]}");
        assertThat(request.signatureName()).isEqualTo("s");
        final Example example = Example.parseFrom(request.examples().get(0));
        assertThat(example.getFeatures().getFeatureOrThrow("f").getFloatList().getValueList())
                .containsExactly(1.5f, Float.POSITIVE_INFINITY);
        assertThat(example.getFeatures().getFeatureOrThrow("i").getInt64List().getValueList()).containsExactly(3L);
        assertThat(example.getFeatures().getFeatureOrThrow("b").getBytesList().getValue(0).toStringUtf8())
                .isEqualTo("hi");
    }

    @Test
    void shouldRefuseADecimalTooLargeForADouble() {
        assertThatThrownBy(() -> decode("{\"examples\": [{\"f\": [1.5, 1e999]}]}"))
                .isInstanceOf(ServingException.class)
                .hasMessage("JSON Parse error: Number too big to be stored in double: 1e999");
    }
}
