package io.ringserve.server.codec;

import static io.ringserve.server.codec.TestSignatures.input;
import static io.ringserve.server.codec.TestSignatures.signature;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.server.inference.ServingException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlainNumbersFastPathTest {
    private static final JsonPredictRequestDecoder GENERAL =
            new JsonPredictRequestDecoder(JsonFactories.tfServing(64 << 20));
    private static final SignatureSpec FLOAT_X = signature(input("x", DType.FLOAT));
    private static final SignatureSpec DOUBLE_X = signature(input("x", DType.DOUBLE));

    @Test
    void shouldReadTheCommonRowBodyAsTheGeneralDecoderDoes() {
        final StringBuilder body = new StringBuilder("{\"instances\": [[");
        final Random random = new Random(1);
        for (int i = 0; i < 784; i++) {
            body.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextFloat()));
        }
        final String json = body.append("]]}").toString();

        final PredictRequest fast = fastPath(json, FLOAT_X);

        assertThat(fast).isNotNull();
        assertThat(fast.inputs().get("x").shape()).containsExactly(1L, 784L);
        assertSameRequest(fast, general(json, FLOAT_X));
    }

    @Test
    void shouldReadColumnarScalarsListsAndTheSignatureNameWhereverItStands() {
        final Function<String, SignatureSpec> named = name -> {
            if (!name.equals("serving_default") && !name.isEmpty()) {
                throw ServingException.invalidArgument("no signature " + name);
            }
            return DOUBLE_X;
        };
        for (String json : new String[] {
                "{\"inputs\": 2.5}",
                "{\"inputs\": [[1, 2], [3, 4]], \"signature_name\": \"serving_default\"}",
                " {\n\t\"signature_name\" : \"serving_default\" ,\r\n \"instances\" : [ -0 , 0.0 , -12.75 ] } "}) {
            final PredictRequest fast = PlainNumbersFastPath.decode(bytes(json), 0, bytes(json).length, named);
            assertThat(fast).as(json).isNotNull();
            assertSameRequest(fast, GENERAL.decode(() -> new ByteArrayInputStream(bytes(json)), named));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"instances\": [1e3]}",
        "{\"instances\": [1E3]}",
        "{\"instances\": [NaN]}",
        "{\"instances\": [-Infinity]}",
        "{\"instances\": [1234567890123456]}",
        "{\"instances\": [0.1234567890123456]}",
        "{\"instances\": [01]}",
        "{\"instances\": [1.]}",
        "{\"instances\": [.5]}",
        "{\"instances\": [-]}",
        "{\"instances\": [\"1\"]}",
        "{\"instances\": [true]}",
        "{\"instances\": [{\"x\": [1]}]}",
        "{\"instances\": []}",
        "{\"instances\": [[]]}",
        "{\"instances\": [[1, 2], [3]]}",
        "{\"instances\": [[1], 2]}",
        "{\"instances\": [1, [2]]}",
        "{\"instances\": [[[[[[[[[1]]]]]]]]]}",
        "{\"instances\": [1,]}",
        "{\"instances\": [1] x}",
        "{\"instances\": [1]} x",
        "{\"instances\": [1]",
        "{\"instances\": [1], \"instances\": [2]}",
        "{\"instances\": [1], \"inputs\": [2]}",
        "{\"signature_name\": \"a\", \"signature_name\": \"a\", \"inputs\": [2]}",
        "{\"signature_name\": \"caf\u00e9\", \"inputs\": [2]}",
        "{\"signature_name\": \"a\\\"b\", \"inputs\": [2]}",
        "{\"signature_name\": 1, \"inputs\": [2]}",
        "{\"inputs\": {\"x\": [1]}}",
        "{\"other\": 1, \"inputs\": [1]}",
        "{\"signature_name\": \"serving_default\"}",
        "{}",
        "[1]",
        ""})
    void shouldLeaveEverythingElseToTheGeneralDecoder(final String json) {
        assertThat(fastPath(json, FLOAT_X)).isNull();
    }

    @Test
    void shouldLeaveOtherDtypesAndSeveralInputsToTheGeneralDecoder() {
        assertThat(fastPath("{\"instances\": [1, 2]}", signature(input("x", DType.INT32)))).isNull();
        assertThat(fastPath("{\"instances\": [1, 2]}", signature(input("x", DType.FLOAT), input("y", DType.FLOAT))))
                .isNull();
        final byte[] body = bytes("{\"inputs\": [1]}");
        assertThat(PlainNumbersFastPath.decode(body, 0, body.length, name -> {
            throw ServingException.invalidArgument("no such signature");
        })).isNull();
    }

    @Test
    void shouldLeaveASignatureNameAfterTheDataThatNamesAnotherSignatureToTheGeneralDecoder() {
        final SignatureSpec other = signature(input("x", DType.FLOAT));
        final Function<String, SignatureSpec> signatures = name -> name.equals("other") ? other : FLOAT_X;
        final byte[] body = bytes("{\"inputs\": [1, 2], \"signature_name\": \"other\"}");

        assertThat(PlainNumbersFastPath.decode(body, 0, body.length, signatures)).isNull();
        assertThat(GENERAL.decode(() -> new ByteArrayInputStream(body), signatures).signatureName())
                .isEqualTo("other");
    }

    @Test
    void shouldLeaveHugeBodiesToTheGeneralDecoder() {
        final String atTheLimit = "{\"inputs\": [" + "1,".repeat(PlainNumbersFastPath.MAX_VALUES - 1) + "1]}";
        final String overTheLimit = "{\"inputs\": [" + "1,".repeat(PlainNumbersFastPath.MAX_VALUES) + "1]}";

        assertThat(fastPath(atTheLimit, FLOAT_X).inputs().get("x").shape())
                .containsExactly((long) PlainNumbersFastPath.MAX_VALUES);
        assertThat(fastPath(overTheLimit, FLOAT_X)).isNull();
    }

    @Test
    void shouldAgreeWithTheGeneralDecoderOnRandomBodies() {
        final Random random = new Random(20261129);
        int handled = 0;
        int leftToGeneral = 0;
        for (int i = 0; i < 2000; i++) {
            final SignatureSpec signature = random.nextBoolean() ? FLOAT_X : DOUBLE_X;
            final String json = randomBody(random);
            final PredictRequest fast = fastPath(json, signature);
            if (fast == null) {
                leftToGeneral++;
                continue;
            }
            handled++;
            assertSameRequest(fast, general(json, signature));
        }
        // Both branches must be exercised for the comparison to mean anything.
        assertThat(handled).isGreaterThan(500);
        assertThat(leftToGeneral).isGreaterThan(100);
    }

    /** A row or columnar body of random shape and numbers, now and then with something outside the subset. */
    private static String randomBody(final Random random) {
        final boolean rows = random.nextBoolean();
        final int rank = random.nextInt(rows ? 3 : 4);
        final int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = 1 + random.nextInt(4);
        }
        final StringBuilder json = new StringBuilder("{");
        final boolean nameFirst = random.nextInt(3) == 0;
        final boolean nameLast = !nameFirst && random.nextInt(3) == 0;
        if (nameFirst) {
            json.append("\"signature_name\":\"serving_default\",").append(space(random));
        }
        json.append(rows ? "\"instances\"" : "\"inputs\"").append(space(random)).append(':').append(space(random));
        if (rows) {
            final int instances = 1 + random.nextInt(3);
            json.append('[');
            for (int i = 0; i < instances; i++) {
                json.append(i == 0 ? "" : ",").append(space(random));
                appendNested(json, dims, 0, random);
            }
            json.append(']');
        } else {
            appendNested(json, dims, 0, random);
        }
        if (nameLast) {
            json.append(',').append(space(random)).append("\"signature_name\":").append(space(random))
                    .append("\"serving_default\"");
        }
        return json.append(space(random)).append('}').toString();
    }

    private static void appendNested(final StringBuilder json, final int[] dims, final int depth,
                                     final Random random) {
        if (depth == dims.length) {
            json.append(randomNumber(random));
            return;
        }
        json.append('[');
        for (int i = 0; i < dims[depth]; i++) {
            json.append(i == 0 ? "" : ",").append(space(random));
            appendNested(json, dims, depth + 1, random);
        }
        json.append(']');
    }

    private static String randomNumber(final Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> Integer.toString(random.nextInt(2000) - 1000);
            case 1 -> "-0";
            case 2 -> "0." + "0".repeat(random.nextInt(6)) + (1 + random.nextInt(999));
            case 3 -> Long.toString(random.nextLong() % 1_000_000_000_000_000L); // sometimes > 15 digits
            case 4 -> String.format(Locale.ROOT, "%.3e", random.nextGaussian()); // an exponent
            case 5 -> Double.toString(random.nextDouble()); // often 16-17 digits
            case 6 -> String.format(Locale.ROOT, "%.9f", random.nextGaussian() * 1e5);
            default -> String.format(Locale.ROOT, "%." + (1 + random.nextInt(7)) + "f", random.nextGaussian());
        };
    }

    private static String space(final Random random) {
        return random.nextInt(4) == 0 ? " \n\t\r".substring(random.nextInt(4)) : "";
    }

    /** Same signature name, format, inputs, dtypes, shapes and bytes. */
    static void assertSameRequest(final PredictRequest actual, final PredictRequest expected) {
        assertThat(actual.signatureName()).isEqualTo(expected.signatureName());
        assertThat(actual.rowFormat()).isEqualTo(expected.rowFormat());
        assertThat(actual.inputs().keySet()).isEqualTo(expected.inputs().keySet());
        expected.inputs().forEach((alias, tensor) -> {
            final HostTensor other = actual.inputs().get(alias);
            assertThat(other.dtype()).as(alias).isEqualTo(tensor.dtype());
            assertThat(other.shape()).as(alias).isEqualTo(tensor.shape());
            if (tensor.dtype() == DType.STRING) {
                for (int i = 0; i < tensor.numElements(); i++) {
                    assertThat(other.stringAt(i)).isEqualTo(tensor.stringAt(i));
                }
            } else {
                assertThat(other.data()).as(alias).isEqualTo(tensor.data());
            }
        });
    }

    private static PredictRequest fastPath(final String json, final SignatureSpec signature) {
        final byte[] bytes = bytes(json);
        return PlainNumbersFastPath.decode(bytes, 0, bytes.length, name -> signature);
    }

    private static PredictRequest general(final String json, final SignatureSpec signature) {
        return GENERAL.decode(() -> new ByteArrayInputStream(bytes(json)), name -> signature);
    }

    private static byte[] bytes(final String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
