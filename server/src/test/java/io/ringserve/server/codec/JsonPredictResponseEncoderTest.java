package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonPredictResponseEncoderTest {
    private static final JsonPredictResponseEncoder ENCODER =
            new JsonPredictResponseEncoder(JsonFactories.tfServing(64 << 20));
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    // ---------------------------------------------------------------- row format

    @Test
    void shouldWriteOneRowPerBatchEntryForASingleOutput() {
        final Map<String, HostTensor> outputs = Map.of("y", HostTensor.ofFloats(shape(3, 1), 2.5f, 3f, 4.5f));
        assertThat(tree(encode(outputs, true))).isEqualTo(tree("{\"predictions\": [[2.5], [3.0], [4.5]]}"));
    }

    @Test
    void shouldWriteVectorRowsAsScalars() {
        final Map<String, HostTensor> outputs = Map.of("y", HostTensor.ofFloats(shape(2), 2.5f, 3f));
        assertThat(encode(outputs, true)).isEqualTo("{\"predictions\":[2.5,3.0]}");
    }

    @Test
    void shouldWriteRowsOfHigherRankInRowMajorOrder() {
        final Map<String, HostTensor> outputs = Map.of("y",
                HostTensor.ofLongs(shape(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
        assertThat(tree(encode(outputs, true))).isEqualTo(tree(
                "{\"predictions\": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]}"));
    }

    @Test
    void shouldWriteAnObjectPerRowForSeveralOutputs() {
        final Map<String, HostTensor> outputs = ordered(
                "scores", HostTensor.ofFloats(shape(2, 2), 0.25f, 0.75f, 1f, 0f),
                "classes", HostTensor.ofLongs(shape(2), 7, 9),
                "labels", strings(shape(2, 1), "cat", "dog"));
        assertThat(tree(encode(outputs, true))).isEqualTo(tree("{\"predictions\": ["
                + "{\"scores\": [0.25, 0.75], \"classes\": 7, \"labels\": [\"cat\"]},"
                + "{\"scores\": [1.0, 0.0], \"classes\": 9, \"labels\": [\"dog\"]}]}"));
    }

    @Test
    void shouldWriteAZeroBatchAsAnEmptyList() {
        assertThat(tree(encode(Map.of("y", HostTensor.ofFloats(shape(0))), true)))
                .isEqualTo(tree("{\"predictions\": []}"));
        assertThat(tree(encode(Map.of("y", HostTensor.ofFloats(shape(0, 3))), true)))
                .isEqualTo(tree("{\"predictions\": []}"));
        assertThat(tree(encode(ordered("a", HostTensor.ofFloats(shape(0, 2)), "b", HostTensor.ofLongs(shape(0))),
                true))).isEqualTo(tree("{\"predictions\": []}"));
    }

    // ---------------------------------------------------------------- columnar format

    @Test
    void shouldWriteTheWholeTensorForASingleColumnarOutput() {
        final Map<String, HostTensor> outputs = Map.of("y", HostTensor.ofFloats(shape(2, 2), 1f, 2f, 3f, 4f));
        assertThat(tree(encode(outputs, false))).isEqualTo(tree("{\"outputs\": [[1.0, 2.0], [3.0, 4.0]]}"));
    }

    @Test
    void shouldWriteARankZeroColumnarOutputAsAScalar() {
        final Map<String, HostTensor> outputs = Map.of("y", HostTensor.ofFloats(shape(), 5f));
        assertThatCode(() -> ENCODER.validate(outputs, false)).doesNotThrowAnyException();
        assertThat(encode(outputs, false)).isEqualTo("{\"outputs\":5.0}");
    }

    @Test
    void shouldWriteAnObjectForSeveralColumnarOutputs() {
        final Map<String, HostTensor> outputs = ordered(
                "a", HostTensor.ofLongs(shape(3), 1, 2, 3),
                "b", HostTensor.ofFloats(shape(1, 2), 0.5f, 1.5f),
                "c", HostTensor.ofFloats(shape(), 9f));
        assertThatCode(() -> ENCODER.validate(outputs, false)).doesNotThrowAnyException();
        assertThat(tree(encode(outputs, false))).isEqualTo(tree(
                "{\"outputs\": {\"a\": [1, 2, 3], \"b\": [[0.5, 1.5]], \"c\": 9.0}}"));
    }

    @Test
    void shouldWriteAnEmptyColumnarTensorAsAnEmptyList() {
        assertThat(encode(Map.of("y", HostTensor.ofFloats(shape(0))), false)).isEqualTo("{\"outputs\":[]}");
        assertThat(encode(Map.of("y", HostTensor.ofFloats(shape(2, 0))), false)).isEqualTo("{\"outputs\":[[],[]]}");
    }

    // ---------------------------------------------------------------- values

    @Test
    void shouldFormatFloatsAsTfServingDoesWithBareNonFiniteTokens() {
        final Map<String, HostTensor> outputs = Map.of("y", HostTensor.ofFloats(shape(7),
                3f, 9000000f, 0.1f, 1f / 3f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY));
        assertThat(encode(outputs, true))
                .isEqualTo("{\"predictions\":[3.0,9e+06,0.1,0.333333343,NaN,Infinity,-Infinity]}");
    }

    @Test
    void shouldFormatDoubles() {
        final HostTensor doubles = fixed(DType.DOUBLE, shape(4), 8, b -> b
                .putDouble(0.1 + 0.2).putDouble(1e-5).putDouble(Double.NaN).putDouble(-0.0));
        assertThat(encode(Map.of("d", doubles), false))
                .isEqualTo("{\"outputs\":[0.30000000000000004,1e-05,NaN,-0.0]}");
        final JsonNode parsed = tree(encode(Map.of("d", doubles), false)).get("outputs");
        assertThat(parsed.get(2).doubleValue()).isNaN();
        assertThat(parsed.get(0).doubleValue()).isEqualTo(0.1 + 0.2);
    }

    @Test
    void shouldWriteIntegersAndBoolsNatively() {
        final Map<String, HostTensor> outputs = ordered(
                "i32", fixed(DType.INT32, shape(2), 4, b -> b.putInt(Integer.MIN_VALUE).putInt(7)),
                "i64", HostTensor.ofLongs(shape(2), Long.MAX_VALUE, -1),
                "u8", fixed(DType.UINT8, shape(2), 1, b -> b.put((byte) 255).put((byte) 0)),
                "flag", fixed(DType.BOOL, shape(2), 1, b -> b.put((byte) 1).put((byte) 0)));
        assertThat(encode(outputs, true)).isEqualTo("{\"predictions\":["
                + "{\"i32\":-2147483648,\"i64\":9223372036854775807,\"u8\":255,\"flag\":true},"
                + "{\"i32\":7,\"i64\":-1,\"u8\":0,\"flag\":false}]}");
    }

    @Test
    void shouldWriteBytesAliasesAsBase64Objects() {
        final HostTensor images = HostTensor.ofStrings(shape(2),
                new byte[][] {{0, (byte) 0xFF, 'a'}, "hello".getBytes(StandardCharsets.US_ASCII)});
        assertThat(tree(encode(Map.of("image_bytes", images), true))).isEqualTo(tree(
                "{\"predictions\": [{\"b64\": \"AP9h\"}, {\"b64\": \"aGVsbG8=\"}]}"));
        assertThat(tree(encode(Map.of("image_bytes", images), false))).isEqualTo(tree(
                "{\"outputs\": [{\"b64\": \"AP9h\"}, {\"b64\": \"aGVsbG8=\"}]}"));
    }

    @Test
    void shouldWriteBase64OnlyForBytesAliasesAmongSeveralOutputs() {
        final Map<String, HostTensor> outputs = ordered(
                "out_bytes", strings(shape(1), "hi"),
                "text", strings(shape(1), "hi"),
                "bytes_not_suffix", strings(shape(1), "hi"));
        assertThat(tree(encode(outputs, true))).isEqualTo(tree("{\"predictions\": [{\"out_bytes\": {\"b64\": "
                + "\"aGk=\"}, \"text\": \"hi\", \"bytes_not_suffix\": \"hi\"}]}"));
        assertThat(tree(encode(outputs, false))).isEqualTo(tree("{\"outputs\": {\"out_bytes\": [{\"b64\": "
                + "\"aGk=\"}], \"text\": [\"hi\"], \"bytes_not_suffix\": [\"hi\"]}}"));
    }

    @Test
    void shouldWriteOtherStringsAsEscapedJsonStrings() {
        final Map<String, HostTensor> outputs = Map.of("label",
                strings(shape(3), "h\u00e9llo \u20ac", "quote \" backslash \\ newline \n", ""));
        final JsonNode parsed = tree(encode(outputs, true));
        assertThat(parsed).isEqualTo(MAPPER.createObjectNode().set("predictions", MAPPER.createArrayNode()
                .add("h\u00e9llo \u20ac").add("quote \" backslash \\ newline \n").add("")));
    }

    // ---------------------------------------------------------------- validate

    @Test
    void shouldRejectAnEmptyTensorMap() {
        assertInvalid(Map.of(), true, "Cannot convert empty tensor map to JSON");
        assertInvalid(Map.of(), false, "Cannot convert empty tensor map to JSON");
    }

    @Test
    void shouldRejectInconsistentBatchSizesInRowFormat() {
        final Map<String, HostTensor> outputs = ordered(
                "a", HostTensor.ofFloats(shape(2), 1f, 2f),
                "b", HostTensor.ofFloats(shape(3, 1), 1f, 2f, 3f));
        assertInvalid(outputs, true, "Tensor name: b has inconsistent batch size: 3 expecting: 2");
        assertThatCode(() -> ENCODER.validate(outputs, false)).doesNotThrowAnyException();
    }

    @Test
    void shouldRejectARankZeroOutputInRowFormat() {
        assertInvalid(Map.of("y", HostTensor.ofFloats(shape(), 1f)), true, "Tensor name: y has no shape information");
        assertInvalid(ordered("a", HostTensor.ofFloats(shape(1), 1f), "s", HostTensor.ofFloats(shape(), 1f)), true,
                "Tensor name: s has no shape information");
    }

    @Test
    void shouldRejectHalfOutputs() {
        final HostTensor half = fixed(DType.HALF, shape(1), 2, b -> b.putShort((short) 0x3C00));
        assertInvalid(Map.of("h", half), true, "Failed to write JSON value for tensor type: half");
        assertInvalid(Map.of("h", half), false, "Failed to write JSON value for tensor type: half");
        final HostTensor bfloat = fixed(DType.BFLOAT16, shape(1), 2, b -> b.putShort((short) 0x3F80));
        assertInvalid(ordered("ok", HostTensor.ofFloats(shape(1), 1f), "bf", bfloat), false,
                "Failed to write JSON value for tensor type: bfloat16", "'bf'");
    }

    @Test
    void shouldAcceptConsistentRowOutputs() {
        final Map<String, HostTensor> outputs = ordered(
                "a", HostTensor.ofFloats(shape(2, 3), 1f, 2f, 3f, 4f, 5f, 6f),
                "b", HostTensor.ofLongs(shape(2), 1, 2));
        assertThatCode(() -> ENCODER.validate(outputs, true)).doesNotThrowAnyException();
    }

    // ---------------------------------------------------------------- helpers

    private static long[] shape(final long... dims) {
        return dims;
    }

    private static Map<String, HostTensor> ordered(final Object... aliasThenTensor) {
        final Map<String, HostTensor> map = new LinkedHashMap<>();
        for (int i = 0; i < aliasThenTensor.length; i += 2) {
            map.put((String) aliasThenTensor[i], (HostTensor) aliasThenTensor[i + 1]);
        }
        return map;
    }

    private static HostTensor strings(final long[] shape, final String... values) {
        final byte[][] bytes = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = values[i].getBytes(StandardCharsets.UTF_8);
        }
        return HostTensor.ofStrings(shape, bytes);
    }

    private interface Filler {
        void fill(ByteBuffer buffer);
    }

    private static HostTensor fixed(final DType dtype, final long[] shape, final int width, final Filler filler) {
        final ByteBuffer buffer = HostTensor.allocate(HostTensor.numElements(shape) * width);
        filler.fill(buffer);
        buffer.flip();
        return HostTensor.of(dtype, shape, buffer);
    }

    private static String encode(final Map<String, HostTensor> outputs, final boolean rowFormat) {
        ENCODER.validate(outputs, rowFormat);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ENCODER.encode(outputs, rowFormat, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode tree(final String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static void assertInvalid(final Map<String, HostTensor> outputs, final boolean rowFormat,
                                      final String... fragments) {
        assertThatThrownBy(() -> ENCODER.validate(outputs, rowFormat))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessageContainingAll(fragments);
    }
}
