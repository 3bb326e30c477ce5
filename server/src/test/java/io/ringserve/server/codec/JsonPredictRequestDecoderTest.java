package io.ringserve.server.codec;

import static io.ringserve.server.codec.TestSignatures.input;
import static io.ringserve.server.codec.TestSignatures.signature;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonPredictRequestDecoderTest {
    private static final JsonPredictRequestDecoder DECODER =
            new JsonPredictRequestDecoder(JsonFactories.tfServing(64 << 20));

    private static final SignatureSpec FLOAT_X = signature(input("x", DType.FLOAT));
    private static final SignatureSpec STRING_S = signature(input("s", DType.STRING));
    /** Declared b, a on purpose: messages list the keys sorted. */
    private static final SignatureSpec TWO_INPUTS = signature(input("b", DType.FLOAT), input("a", DType.INT32));

    // ---------------------------------------------------------------- row format

    @Test
    void shouldDecodeInstancesOfScalarsIntoAVectorOfTheBatch() {
        final PredictRequest request = decode("{\"instances\": [1.0, 2, -3.5]}", FLOAT_X);
        assertThat(request.rowFormat()).isTrue();
        assertThat(request.signatureName()).isEmpty();
        assertThat(request.inputs()).containsOnlyKeys("x");
        final HostTensor x = request.inputs().get("x");
        assertThat(x.dtype()).isEqualTo(DType.FLOAT);
        assertThat(x.shape()).containsExactly(3L);
        assertThat(floats(x)).containsExactly(1.0f, 2.0f, -3.5f);
    }

    @Test
    void shouldPrependTheBatchDimensionToListInstances() {
        final HostTensor x = decode("{\"instances\": [[1, 2, 3], [4, 5, 6]]}", FLOAT_X).inputs().get("x");
        assertThat(x.shape()).containsExactly(2L, 3L);
        assertThat(floats(x)).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
    }

    @Test
    void shouldInferDeeplyNestedInstanceShapes() {
        final HostTensor x = decode("{\"instances\": [[[1], [2], [3]], [[4], [5], [6]]]}", FLOAT_X)
                .inputs().get("x");
        assertThat(x.shape()).containsExactly(2L, 3L, 1L);
        assertThat(floats(x)).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
    }

    @Test
    void shouldDecodeInstancesWithEmptyInnerLists() {
        final HostTensor x = decode("{\"instances\": [[], []]}", FLOAT_X).inputs().get("x");
        assertThat(x.shape()).containsExactly(2L, 0L);
        assertThat(x.numElements()).isZero();
    }

    @Test
    void shouldDecodeObjectInstancesForSeveralInputsWhateverTheKeyOrder() {
        final PredictRequest request = decode(
                "{\"instances\": [{\"a\": 1, \"b\": [1.5, 2]}, {\"b\": [3, 4.5], \"a\": -2}]}", TWO_INPUTS);
        assertThat(request.rowFormat()).isTrue();
        assertThat(request.inputs()).containsOnlyKeys("a", "b");
        final HostTensor a = request.inputs().get("a");
        assertThat(a.dtype()).isEqualTo(DType.INT32);
        assertThat(a.shape()).containsExactly(2L);
        assertThat(ints(a)).containsExactly(1, -2);
        final HostTensor b = request.inputs().get("b");
        assertThat(b.shape()).containsExactly(2L, 2L);
        assertThat(floats(b)).containsExactly(1.5f, 2f, 3f, 4.5f);
    }

    @Test
    void shouldDecodeObjectInstancesForASingleInput() {
        final HostTensor x = decode("{\"instances\": [{\"x\": [1, 2]}, {\"x\": [3, 4]}]}", FLOAT_X)
                .inputs().get("x");
        assertThat(x.shape()).containsExactly(2L, 2L);
        assertThat(floats(x)).containsExactly(1f, 2f, 3f, 4f);
    }

    @Test
    void shouldIgnoreUnknownTopLevelKeys() {
        final HostTensor x = decode("{\"foo\": {\"bar\": [1, {\"b64\": 2}]}, \"instances\": [7], \"baz\": null}",
                FLOAT_X).inputs().get("x");
        assertThat(x.shape()).containsExactly(1L);
        assertThat(floats(x)).containsExactly(7f);
    }

    // ---------------------------------------------------------------- columnar format

    @Test
    void shouldDecodeColumnarListWithoutAddingABatchDimension() {
        final PredictRequest request = decode("{\"inputs\": [[1, 2], [3, 4], [5, 6]]}", FLOAT_X);
        assertThat(request.rowFormat()).isFalse();
        final HostTensor x = request.inputs().get("x");
        assertThat(x.shape()).containsExactly(3L, 2L);
        assertThat(floats(x)).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
    }

    @Test
    void shouldDecodeABareColumnarScalarAsRankZero() {
        final HostTensor x = decode("{\"inputs\": 7.5}", FLOAT_X).inputs().get("x");
        assertThat(x.rank()).isZero();
        assertThat(x.shape()).isEmpty();
        assertThat(x.numElements()).isEqualTo(1);
        assertThat(x.floatAt(0)).isEqualTo(7.5f);
    }

    @Test
    void shouldDecodeAnEmptyColumnarListAsAZeroBatch() {
        final PredictRequest request = decode("{\"inputs\": []}", FLOAT_X);
        final HostTensor x = request.inputs().get("x");
        assertThat(x.dtype()).isEqualTo(DType.FLOAT);
        assertThat(x.shape()).containsExactly(0L);
        assertThat(x.numElements()).isZero();
        assertThat(x.data().remaining()).isZero();
    }

    @Test
    void shouldDecodeEmptyInnerColumnarLists() {
        final HostTensor x = decode("{\"inputs\": [[], [], []]}", FLOAT_X).inputs().get("x");
        assertThat(x.shape()).containsExactly(3L, 0L);
    }

    @Test
    void shouldDecodeNamedColumnarInputsAndIgnoreExtraKeys() {
        final PredictRequest request = decode("{\"inputs\": {\"a\": [1, 2, 3], "
                + "\"extra\": {\"nested\": [1, [2, 3], {\"b64\": 4}]}, \"b\": [[0.5], [1.5], [2.5]], "
                + "\"also_extra\": \"x\"}}", TWO_INPUTS);
        assertThat(request.rowFormat()).isFalse();
        assertThat(request.inputs()).containsOnlyKeys("a", "b");
        assertThat(request.inputs().get("a").shape()).containsExactly(3L);
        assertThat(ints(request.inputs().get("a"))).containsExactly(1, 2, 3);
        assertThat(request.inputs().get("b").shape()).containsExactly(3L, 1L);
        assertThat(floats(request.inputs().get("b"))).containsExactly(0.5f, 1.5f, 2.5f);
    }

    @Test
    void shouldDecodeNamedColumnarScalarsAsRankZero() {
        final PredictRequest request = decode("{\"inputs\": {\"a\": 3, \"b\": 0.25}}", TWO_INPUTS);
        assertThat(request.inputs().get("a").shape()).isEmpty();
        assertThat(request.inputs().get("a").intAt(0)).isEqualTo(3);
        assertThat(request.inputs().get("b").shape()).isEmpty();
        assertThat(request.inputs().get("b").floatAt(0)).isEqualTo(0.25f);
    }

    @Test
    void shouldAcceptANamedObjectForASingleInput() {
        final HostTensor x = decode("{\"inputs\": {\"x\": [1, 2]}}", FLOAT_X).inputs().get("x");
        assertThat(x.shape()).containsExactly(2L);
        assertThat(floats(x)).containsExactly(1f, 2f);
    }

    // ---------------------------------------------------------------- dtypes

    @Test
    void shouldDecodeFloats() {
        final HostTensor x = decode("{\"instances\": [0.1, -2, 1e39, 3.4028235e38, 1.0e-45]}", FLOAT_X)
                .inputs().get("x");
        assertThat(x.dtype()).isEqualTo(DType.FLOAT);
        assertThat(x.data().remaining()).isEqualTo(5 * 4);
        assertThat(floats(x)).containsExactly(0.1f, -2f, Float.POSITIVE_INFINITY, Float.MAX_VALUE,
                Float.MIN_VALUE);
    }

    @Test
    void shouldDecodeDoubles() {
        final SignatureSpec signature = signature(input("d", DType.DOUBLE));
        final HostTensor d = decode("{\"inputs\": [0.1, -1e300, 5, 4.9e-324, 0.30000000000000004]}", signature)
                .inputs().get("d");
        assertThat(d.dtype()).isEqualTo(DType.DOUBLE);
        assertThat(d.shape()).containsExactly(5L);
        assertThat(d.data().remaining()).isEqualTo(5 * 8);
        assertThat(new double[] {d.doubleAt(0), d.doubleAt(1), d.doubleAt(2), d.doubleAt(3), d.doubleAt(4)})
                .containsExactly(0.1, -1e300, 5.0, Double.MIN_VALUE, 0.1 + 0.2);
    }

    @Test
    void shouldDecodeInt32() {
        final SignatureSpec signature = signature(input("i", DType.INT32));
        final HostTensor i = decode("{\"instances\": [[-2147483648, 0], [2147483647, -1]]}", signature)
                .inputs().get("i");
        assertThat(i.dtype()).isEqualTo(DType.INT32);
        assertThat(i.shape()).containsExactly(2L, 2L);
        assertThat(ints(i)).containsExactly(Integer.MIN_VALUE, 0, Integer.MAX_VALUE, -1);
    }

    @Test
    void shouldDecodeInt64() {
        final SignatureSpec signature = signature(input("l", DType.INT64));
        final HostTensor l = decode("{\"instances\": [-9223372036854775808, 9223372036854775807, 42]}", signature)
                .inputs().get("l");
        assertThat(l.dtype()).isEqualTo(DType.INT64);
        assertThat(l.shape()).containsExactly(3L);
        assertThat(new long[] {l.longAt(0), l.longAt(1), l.longAt(2)})
                .containsExactly(Long.MIN_VALUE, Long.MAX_VALUE, 42L);
    }

    @Test
    void shouldDecodeUint8() {
        final SignatureSpec signature = signature(input("u", DType.UINT8));
        final HostTensor u = decode("{\"inputs\": [[0, 127], [128, 255]]}", signature).inputs().get("u");
        assertThat(u.dtype()).isEqualTo(DType.UINT8);
        assertThat(u.shape()).containsExactly(2L, 2L);
        assertThat(u.data().remaining()).isEqualTo(4);
        assertThat(new int[] {u.unsignedByteAt(0), u.unsignedByteAt(1), u.unsignedByteAt(2), u.unsignedByteAt(3)})
                .containsExactly(0, 127, 128, 255);
    }

    @Test
    void shouldTruncateAnyInt32ToUint8AsTfServingAndTensorFlowDo() {
        final SignatureSpec signature = signature(input("u", DType.UINT8));
        final HostTensor u = decode("{\"instances\": [-1, 256, 300]}", signature).inputs().get("u");
        assertThat(new int[] {u.unsignedByteAt(0), u.unsignedByteAt(1), u.unsignedByteAt(2)})
                .containsExactly(255, 0, 44);
    }

    @Test
    void shouldDecodeUint64AboveInt64() {
        final SignatureSpec signature = signature(input("u", DType.UINT64));
        final HostTensor u = decode("{\"inputs\": [0, 18446744073709551615]}", signature).inputs().get("u");
        assertThat(u.shape()).containsExactly(2L);
        assertThat(u.longAt(0)).isZero();
        assertThat(Long.toUnsignedString(u.longAt(1))).isEqualTo("18446744073709551615");
    }

    @Test
    void shouldDecodeBools() {
        final SignatureSpec signature = signature(input("flag", DType.BOOL));
        final HostTensor flag = decode("{\"instances\": [true, false, true]}", signature).inputs().get("flag");
        assertThat(flag.dtype()).isEqualTo(DType.BOOL);
        assertThat(flag.shape()).containsExactly(3L);
        assertThat(new boolean[] {flag.boolAt(0), flag.boolAt(1), flag.boolAt(2)})
                .containsExactly(true, false, true);
        assertThat(flag.data().get(0)).isEqualTo((byte) 1);
        assertThat(flag.data().get(1)).isEqualTo((byte) 0);
    }

    @Test
    void shouldDecodeStringsAsUtf8Bytes() {
        final HostTensor s = decode("{\"instances\": [\"h\\u00e9llo\", \"\", \"\\\"q\\\"\\n\", \"\u20ac\"]}",
                STRING_S).inputs().get("s");
        assertThat(s.dtype()).isEqualTo(DType.STRING);
        assertThat(s.shape()).containsExactly(4L);
        assertThat(s.stringAt(0)).containsExactly("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(s.stringAt(1)).isEmpty();
        assertThat(s.stringAt(2)).containsExactly("\"q\"\n".getBytes(StandardCharsets.UTF_8));
        assertThat(s.stringAt(3)).containsExactly(0xE2 - 256, 0x82 - 256, 0xAC - 256);
    }

    @Test
    void shouldDecodeNonFiniteTokens() {
        final HostTensor x = decode("{\"instances\": [NaN, Infinity, -Infinity, 1]}", FLOAT_X).inputs().get("x");
        assertThat(x.floatAt(0)).isNaN();
        assertThat(x.floatAt(1)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(x.floatAt(2)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(x.floatAt(3)).isEqualTo(1f);

        final HostTensor d = decode("{\"inputs\": [[NaN], [-Infinity]]}", signature(input("d", DType.DOUBLE)))
                .inputs().get("d");
        assertThat(d.shape()).containsExactly(2L, 1L);
        assertThat(d.doubleAt(0)).isNaN();
        assertThat(d.doubleAt(1)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999", "-1.5E+400", "179769313486231570000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000000000000.0"})
    void shouldRefuseNumbersTooLargeForADoubleAsTfServingsParserDoes(final String number) {
        for (SignatureSpec signature : List.of(FLOAT_X, signature(input("x", DType.DOUBLE)))) {
            assertThatThrownBy(() -> decode("{\"instances\": [1, " + number + "]}", signature))
                    .isInstanceOfSatisfying(ServingException.class,
                            e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                    .hasMessage("JSON Parse error: Number too big to be stored in double: " + number);
        }
        // Within a double but past a float, a float input reads infinity: TF Serving casts the double.
        assertThat(decode("{\"instances\": [1e39]}", FLOAT_X).inputs().get("x").floatAt(0))
                .isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void shouldGrowTheBufferForLargeInputs() {
        final int count = 5000;
        final StringBuilder json = new StringBuilder("{\"instances\": [");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append('[').append(i).append(',').append(-i).append(']');
        }
        json.append("]}");
        final HostTensor d = decode(json.toString(), signature(input("d", DType.DOUBLE))).inputs().get("d");
        assertThat(d.shape()).containsExactly((long) count, 2L);
        for (int i = 0; i < count; i++) {
            assertThat(d.doubleAt(2 * i)).isEqualTo(i);
            assertThat(d.doubleAt(2 * i + 1)).isEqualTo(-i);
        }
    }

    // ---------------------------------------------------------------- base64

    @Test
    void shouldDecodeB64Instances() {
        final HostTensor s = decode("{\"instances\": [{\"b64\": \"aGVsbG8=\"}, {\"b64\": \"AP8=\"}, "
                + "{\"b64\": \"\"}]}", STRING_S).inputs().get("s");
        assertThat(s.shape()).containsExactly(3L);
        assertThat(s.stringAt(0)).containsExactly("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.stringAt(1)).containsExactly(0x00, 0xFF - 256);
        assertThat(s.stringAt(2)).isEmpty();
    }

    @Test
    void shouldSkipWhiteSpaceInB64AsTfServingDoesAndRefuseOtherCharacters() {
        // Python's base64.encodebytes wraps at 76 columns; json.dumps keeps the newlines as \n.
        final HostTensor s = decode("{\"instances\": [{\"b64\": \"aGVsbG8g\\nd29y bGQ=\\r\\n\"}]}", STRING_S)
                .inputs().get("s");
        assertThat(s.stringAt(0)).containsExactly("hello world".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> decode("{\"instances\": [{\"b64\": \"aGVs*bG8=\"}]}", STRING_S))
                .hasMessageContaining("Unable to base64 decode");
    }

    @Test
    void shouldDecodeB64ValuesNestedInInstanceLists() {
        final HostTensor s = decode("{\"instances\": [[{\"b64\": \"YQ==\"}, {\"b64\": \"Yg==\"}], "
                + "[{\"b64\": \"Yw==\"}, \"d\"]]}", STRING_S).inputs().get("s");
        assertThat(s.shape()).containsExactly(2L, 2L);
        assertThat(strings(s)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void shouldMixB64AndPlainStringInstances() {
        final HostTensor s = decode("{\"instances\": [\"plain\", {\"b64\": \"YjY0\"}]}", STRING_S)
                .inputs().get("s");
        assertThat(s.shape()).containsExactly(2L);
        assertThat(strings(s)).containsExactly("plain", "b64");
    }

    @Test
    void shouldDecodeAColumnarB64ObjectAsTheSingleInputScalar() {
        final HostTensor s = decode("{\"inputs\": {\"b64\": \"aGk=\"}}", STRING_S).inputs().get("s");
        assertThat(s.shape()).isEmpty();
        assertThat(strings(s)).containsExactly("hi");
    }

    @Test
    void shouldDecodeColumnarB64Lists() {
        final HostTensor s = decode("{\"inputs\": [[{\"b64\": \"YQ==\"}], [{\"b64\": \"Yg==\"}]]}", STRING_S)
                .inputs().get("s");
        assertThat(s.shape()).containsExactly(2L, 1L);
        assertThat(strings(s)).containsExactly("a", "b");
    }

    @Test
    void shouldDecodeB64InsideNamedInputs() {
        final SignatureSpec signature = signature(input("image_bytes", DType.STRING), input("k", DType.INT64));
        final PredictRequest columnar = decode("{\"inputs\": {\"image_bytes\": [{\"b64\": \"AQID\"}], \"k\": [5]}}",
                signature);
        assertThat(columnar.inputs().get("image_bytes").shape()).containsExactly(1L);
        assertThat(columnar.inputs().get("image_bytes").stringAt(0)).containsExactly(1, 2, 3);
        assertThat(columnar.inputs().get("k").longAt(0)).isEqualTo(5L);

        final PredictRequest rows = decode("{\"instances\": [{\"image_bytes\": {\"b64\": \"AQID\"}, \"k\": 5}, "
                + "{\"k\": 6, \"image_bytes\": {\"b64\": \"BA==\"}}]}", signature);
        final HostTensor images = rows.inputs().get("image_bytes");
        assertThat(images.shape()).containsExactly(2L);
        assertThat(images.stringAt(0)).containsExactly(1, 2, 3);
        assertThat(images.stringAt(1)).containsExactly(4);
        assertThat(rows.inputs().get("k").shape()).containsExactly(2L);
        assertThat(rows.inputs().get("k").longAt(1)).isEqualTo(6L);
    }

    // ---------------------------------------------------------------- signature selection

    @Test
    void shouldAskForTheDefaultSignatureWhenNoneIsNamed() {
        final List<String> asked = new ArrayList<>();
        final PredictRequest request = decode("{\"instances\": [1]}", name -> {
            asked.add(name);
            return FLOAT_X;
        });
        assertThat(asked).isNotEmpty().containsOnly("");
        assertThat(request.signatureName()).isEmpty();
    }

    @Test
    void shouldPassTheNamedSignatureToTheLookup() {
        final List<String> asked = new ArrayList<>();
        final Function<String, SignatureSpec> lookup = name -> {
            asked.add(name);
            return name.equals("two") ? TWO_INPUTS : FLOAT_X;
        };
        final PredictRequest request = decode("{\"signature_name\": \"two\", \"inputs\": {\"a\": 1, \"b\": 2}}",
                lookup);
        assertThat(asked).isNotEmpty().containsOnly("two");
        assertThat(request.signatureName()).isEqualTo("two");
        assertThat(request.inputs()).containsOnlyKeys("a", "b");
    }

    @Test
    void shouldFindTheSignatureNameAfterTheData() {
        final List<String> asked = new ArrayList<>();
        final PredictRequest request = decode("{\"instances\": [{\"a\": 1, \"b\": 2}], \"signature_name\": \"late\"}",
                name -> {
                    asked.add(name);
                    return TWO_INPUTS;
                });
        assertThat(asked).contains("late");
        assertThat(request.signatureName()).isEqualTo("late");
        assertThat(request.inputs().get("a").shape()).containsExactly(1L);
    }

    @Test
    void shouldPropagateTheLookupsException() {
        final ServingException missing = ServingException.invalidArgument(
                "Serving signature name: \"nope\" not found in signature def");
        assertThatThrownBy(() -> decode("{\"signature_name\": \"nope\", \"instances\": [1]}", name -> {
            throw missing;
        })).isSameAs(missing);
    }

    @Test
    void shouldRejectASignatureWithoutInputs() {
        final SignatureSpec empty = signature();
        assertRejected("{\"instances\": [1]}", empty, StatusCode.INVALID_ARGUMENT,
                "Failed to get input map for signature: DEFAULT");
        assertThatThrownBy(() -> decode("{\"signature_name\": \"s\", \"instances\": [1]}", name -> empty))
                .hasMessage("Failed to get input map for signature: s");
    }

    // ---------------------------------------------------------------- malformed bodies

    @Test
    void shouldReportMalformedJsonWithItsOffset() {
        final String json = "{\"instances\": [1, 2}";
        assertThatThrownBy(() -> decode(json, FLOAT_X)).isInstanceOfSatisfying(ServingException.class,
                e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessageStartingWith("JSON Parse error: ")
                .hasMessageMatching("(?s).* at offset: (1[0-9]|20)")
                .hasMessageNotContaining("Source:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"instances\": [1,]}", "{\"instances\": [1]", "{\"instances\" [1]}",
        "{'instances': [1]}", "{\"instances\": [nan]}", "{\"instances\": [1]} {}", "{\"instances\": [1]} x"})
    void shouldReportMalformedJson(final String json) {
        assertRejected(json, FLOAT_X, StatusCode.INVALID_ARGUMENT, "JSON Parse error: ", " at offset: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void shouldReportAnEmptyDocument(final String json) {
        assertThatThrownBy(() -> decode(json, FLOAT_X))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessage("JSON Parse error: The document is empty");
    }

    static Stream<Arguments> notObjects() {
        return Stream.of(
                Arguments.of("[1, 2]", "found ["),
                Arguments.of("42", "found 42"),
                Arguments.of("-1.5e3", "found -1.5e3"),
                Arguments.of("\"instances\"", "found instances"),
                Arguments.of("true", "found true"),
                Arguments.of("null", "found null"));
    }

    @ParameterizedTest
    @MethodSource("notObjects")
    void shouldRejectABodyThatIsNotAnObject(final String json, final String found) {
        assertThatThrownBy(() -> decode(json, FLOAT_X))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessageStartingWith("JSON Parse error: ")
                .hasMessageContaining("must be a JSON object")
                .hasMessageEndingWith(found);
    }

    @Test
    void shouldRejectBothInstancesAndInputs() {
        assertRejected("{\"instances\": [1], \"inputs\": [1]}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"signature_name\": \"serving_default\"}", "{\"instance\": [1]}",
        "{\"Inputs\": [1]}"})
    void shouldRejectNeitherInstancesNorInputs(final String json) {
        assertRejected(json, FLOAT_X, StatusCode.INVALID_ARGUMENT, "Missing 'inputs' or 'instances' key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "\"x\"", "{\"x\": [1]}", "null", "true"})
    void shouldRejectInstancesThatAreNotAList(final String instances) {
        assertRejected("{\"instances\": " + instances + "}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "Expecting 'instances' to be an list/array");
    }

    @Test
    void shouldRejectAnEmptyInstancesList() {
        assertRejected("{\"instances\": []}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "No values in 'instances' array");
    }

    @Test
    void shouldRejectASignatureNameThatIsNotAString() {
        assertRejected("{\"signature_name\": 1, \"instances\": [1]}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "'signature_name' key must be a string value.");
        assertRejected("{\"instances\": [1], \"signature_name\": [\"a\"]}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "'signature_name' key must be a string value.");
    }

    // ---------------------------------------------------------------- shapes

    @ParameterizedTest
    @ValueSource(strings = {"{\"instances\": [[1, 2], [3]]}", "{\"instances\": [[1], [2, 3]]}",
        "{\"instances\": [[[1, 2]], [[3]]]}", "{\"instances\": [[[1], [2]], [[3]]]}",
        "{\"inputs\": [[1, 2], [3, 4, 5]]}", "{\"inputs\": [[], [1]]}", "{\"inputs\": [[1], []]}",
        "{\"inputs\": {\"x\": [[1, 2], [3]]}}"})
    void shouldRejectRaggedLists(final String json) {
        assertRejected(json, FLOAT_X, StatusCode.INVALID_ARGUMENT, "Input 'x' has ragged lists");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"instances\": [[1, 2], 3]}", "{\"instances\": [1, [2]]}",
        "{\"instances\": [[1, [2]]]}", "{\"inputs\": [[1, 2], 3]}", "{\"inputs\": [1, [2]]}",
        "{\"inputs\": [[], 1]}", "{\"inputs\": [[[1]], [2]]}"})
    void shouldRejectMixedNestingDepths(final String json) {
        assertRejected(json, FLOAT_X, StatusCode.INVALID_ARGUMENT, "Input 'x' mixes values and lists");
    }

    @Test
    void shouldRejectAbsurdNesting() {
        final String json = "{\"inputs\": " + "[".repeat(100) + "1" + "]".repeat(100) + "}";
        assertRejected(json, FLOAT_X, StatusCode.INVALID_ARGUMENT, "Input 'x' is nested deeper than");
    }

    // ---------------------------------------------------------------- types

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of(DType.FLOAT, "\"1.0\"", "JSON Value: \"1.0\" Type: String is not of expected type: float"),
                Arguments.of(DType.FLOAT, "null", "JSON Value: null Type: Null is not of expected type: float"),
                Arguments.of(DType.FLOAT, "true", "JSON Value: true Type: True is not of expected type: float"),
                Arguments.of(DType.FLOAT, "{\"b64\": \"AAAAAA==\"}", "Type: Object is not of expected type: float"),
                Arguments.of(DType.DOUBLE, "\"NaN\"", "JSON Value: \"NaN\" Type: String is not of expected type: double"),
                Arguments.of(DType.INT32, "1.5", "JSON Value: 1.5 Type: Number is not of expected type: int32"),
                Arguments.of(DType.INT32, "1.0", "JSON Value: 1.0 Type: Number is not of expected type: int32"),
                Arguments.of(DType.INT32, "2147483648",
                        "JSON Value: 2147483648 Type: Number is not of expected type: int32"),
                Arguments.of(DType.INT32, "-2147483649",
                        "JSON Value: -2147483649 Type: Number is not of expected type: int32"),
                Arguments.of(DType.INT64, "9223372036854775808",
                        "JSON Value: 9223372036854775808 Type: Number is not of expected type: int64"),
                Arguments.of(DType.INT64, "1e3", "JSON Value: 1e3 Type: Number is not of expected type: int64"),
                Arguments.of(DType.UINT8, "2147483648",
                        "JSON Value: 2147483648 Type: Number is not of expected type: uint8"),
                Arguments.of(DType.UINT8, "1.0", "JSON Value: 1.0 Type: Number is not of expected type: uint8"),
                Arguments.of(DType.UINT64, "-1", "JSON Value: -1 Type: Number is not of expected type: uint64"),
                Arguments.of(DType.BOOL, "1", "JSON Value: 1 Type: Number is not of expected type: bool"),
                Arguments.of(DType.BOOL, "\"true\"", "JSON Value: \"true\" Type: String is not of expected type: bool"),
                Arguments.of(DType.STRING, "5", "JSON Value: 5 Type: Number is not of expected type: string"),
                Arguments.of(DType.STRING, "false", "JSON Value: false Type: False is not of expected type: string"));
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("wrongTypes")
    void shouldRejectValuesOfTheWrongType(final DType dtype, final String value, final String message) {
        final SignatureSpec signature = signature(input("v", dtype));
        assertRejected("{\"instances\": [" + value + "]}", signature, StatusCode.INVALID_ARGUMENT, message, "'v'");
        assertRejected("{\"inputs\": [[" + value + "]]}", signature, StatusCode.INVALID_ARGUMENT, message, "'v'");
    }

    @Test
    void shouldRejectHalfAsUnimplemented() {
        final SignatureSpec signature = signature(input("h", DType.HALF));
        assertRejected("{\"instances\": [1.5]}", signature, StatusCode.UNIMPLEMENTED,
                "Conversion of JSON Value: 1.5 to type: half");
        assertRejected("{\"inputs\": {\"h\": [[2]]}}", signature, StatusCode.UNIMPLEMENTED,
                "Conversion of JSON Value: 2 to type: half");
    }

    @Test
    void shouldRejectTypesRingserveDoesNotKnowAsUnimplemented() {
        final SignatureSpec signature = signature(new TensorSpec("c", "c:0", "DT_COMPLEX64", 8, Optional.empty()));
        assertRejected("{\"instances\": [1]}", signature, StatusCode.UNIMPLEMENTED, "'c'", "DT_COMPLEX64");
    }

    // ---------------------------------------------------------------- base64 errors

    @ParameterizedTest
    @ValueSource(strings = {"{\"instances\": [{\"b64\": \"not base64!\"}]}",
        "{\"instances\": [[{\"b64\": \"YQ=\"}]]}", "{\"inputs\": {\"b64\": \"@@@@\"}}",
        "{\"inputs\": [{\"b64\": \"a\"}]}"})
    void shouldRejectInvalidBase64(final String json) {
        assertRejected(json, STRING_S, StatusCode.INVALID_ARGUMENT, "Unable to base64 decode", "'s'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"instances\": [{\"b64\": \"YQ==\", \"x\": 1}]}",
        "{\"instances\": [[{\"b64\": \"YQ==\", \"extra\": \"YQ==\"}]]}",
        "{\"inputs\": {\"b64\": \"YQ==\", \"x\": 1}}", "{\"inputs\": [{\"b64\": \"YQ==\", \"x\": 1}]}",
        "{\"instances\": [{\"b64\": 12}]}", "{\"inputs\": [{\"b64\": [\"YQ==\"]}]}",
        "{\"inputs\": [{\"x\": \"YQ==\"}]}", "{\"inputs\": [{}]}"})
    void shouldRejectMalformedB64Objects(final String json) {
        assertRejected(json, STRING_S, StatusCode.INVALID_ARGUMENT, "not formatted correctly for base64 data");
    }

    // ---------------------------------------------------------------- several inputs

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]", "[[1, 2]]", "[{\"b64\": \"YQ==\"}]", "[\"a\"]"})
    void shouldRejectAPlainInstancesListForSeveralInputs(final String instances) {
        assertRejected("{\"instances\": " + instances + "}", TWO_INPUTS, StatusCode.INVALID_ARGUMENT,
                "instances is a plain list, but expecting list of objects as multiple input tensors required as "
                        + "per tensorinfo_map");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]", "3", "{\"b64\": \"YQ==\"}", "[]"})
    void shouldRejectPlainColumnarInputsForSeveralInputs(final String inputs) {
        assertRejected("{\"inputs\": " + inputs + "}", TWO_INPUTS, StatusCode.INVALID_ARGUMENT,
                "inputs is a plain value/list, but expecting an object as multiple input tensors required as per "
                        + "tensorinfo_map");
    }

    @Test
    void shouldRejectInstanceObjectsWithMissingKeys() {
        assertRejected("{\"instances\": [{\"a\": 1, \"b\": 2}, {\"a\": 1}]}", TWO_INPUTS,
                StatusCode.INVALID_ARGUMENT, "Failed to process element: 1 of 'instances' list.",
                "JSON object keys must be equal to: a,b", "missing b");
        assertRejected("{\"instances\": [{}]}", TWO_INPUTS, StatusCode.INVALID_ARGUMENT,
                "Failed to process element: 0 of 'instances' list.", "keys must be equal to: a,b");
    }

    @Test
    void shouldRejectInstanceObjectsWithExtraKeys() {
        assertRejected("{\"instances\": [{\"a\": 1, \"b\": 2, \"c\": 3}]}", TWO_INPUTS,
                StatusCode.INVALID_ARGUMENT, "Failed to process element: 0 of 'instances' list.",
                "keys must be equal to: a,b", "unexpected key 'c'");
        assertRejected("{\"instances\": [{\"x\": 1, \"y\": 2}]}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "keys must be equal to: x", "unexpected key 'y'");
    }

    @Test
    void shouldRejectInstancesMixingObjectsAndValues() {
        assertRejected("{\"instances\": [{\"x\": 1}, 2]}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "Failed to process element: 1 of 'instances' list.", "not a mix");
        assertRejected("{\"instances\": [2, {\"x\": 1}]}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "Failed to process element: 1 of 'instances' list.", "not a mix");
    }

    @Test
    void shouldRejectInconsistentShapesAcrossObjectInstances() {
        assertRejected("{\"instances\": [{\"a\": 1, \"b\": [1, 2]}, {\"a\": 2, \"b\": [3]}]}", TWO_INPUTS,
                StatusCode.INVALID_ARGUMENT, "Input 'b' has ragged lists");
        assertRejected("{\"instances\": [{\"a\": 1, \"b\": 1}, {\"a\": [2], \"b\": 3}]}", TWO_INPUTS,
                StatusCode.INVALID_ARGUMENT, "Input 'a' mixes values and lists");
    }

    @Test
    void shouldRejectAColumnarObjectMissingAnInput() {
        assertRejected("{\"inputs\": {\"b\": [1], \"c\": [2]}}", TWO_INPUTS, StatusCode.INVALID_ARGUMENT,
                "Missing named input: a in 'inputs' object.");
        assertRejected("{\"inputs\": {}}", TWO_INPUTS, StatusCode.INVALID_ARGUMENT, "Missing named input: ");
        assertRejected("{\"inputs\": {\"y\": [1]}}", FLOAT_X, StatusCode.INVALID_ARGUMENT,
                "Missing named input: x in 'inputs' object.");
    }

    @Test
    void shouldReportTheInputWhoseValueHasTheWrongType() {
        assertRejected("{\"inputs\": {\"b\": [1.5], \"a\": [1.5]}}", TWO_INPUTS, StatusCode.INVALID_ARGUMENT,
                "JSON Value: 1.5 Type: Number is not of expected type: int32", "'a'");
    }

    // ---------------------------------------------------------------- helpers

    private static PredictRequest decode(final String json, final SignatureSpec signature) {
        return decode(json, name -> signature);
    }

    /**
     * Decodes through both entry points, the stream (always the general decoder) and the byte array (the plain
     * numbers fast path first), and requires the same answer or the same error from both: every case of this class
     * also checks that the fast path never changes what a body means.
     */
    static PredictRequest decode(final String json, final Function<String, SignatureSpec> signatures) {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        final PredictRequest viaStream;
        try {
            viaStream = DECODER.decode(() -> new ByteArrayInputStream(bytes), signatures);
        } catch (RuntimeException e) {
            assertThatThrownBy(() -> DECODER.decode(bytes, 0, bytes.length, signatures))
                    .as("the byte-array decode of %s", json)
                    .isInstanceOf(e.getClass()).hasMessage(e.getMessage());
            throw e;
        }
        PlainNumbersFastPathTest.assertSameRequest(DECODER.decode(bytes, 0, bytes.length, signatures), viaStream);
        return viaStream;
    }

    private static void assertRejected(final String json, final SignatureSpec signature, final StatusCode code,
                                       final String... fragments) {
        assertThatThrownBy(() -> decode(json, signature))
                .as("decoding %s", json)
                .isInstanceOfSatisfying(ServingException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContainingAll(fragments);
    }

    private static float[] floats(final HostTensor tensor) {
        final float[] values = new float[Math.toIntExact(tensor.numElements())];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.floatAt(i);
        }
        assertThat(tensor.data().remaining()).isEqualTo(values.length * 4);
        return values;
    }

    private static int[] ints(final HostTensor tensor) {
        final int[] values = new int[Math.toIntExact(tensor.numElements())];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.intAt(i);
        }
        assertThat(tensor.data().remaining()).isEqualTo(values.length * 4);
        return values;
    }

    private static List<String> strings(final HostTensor tensor) {
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < tensor.numElements(); i++) {
            values.add(new String(tensor.stringAt(i), StandardCharsets.UTF_8));
        }
        return values;
    }
}
