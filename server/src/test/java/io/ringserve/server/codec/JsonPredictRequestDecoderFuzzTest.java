package io.ringserve.server.codec;

import static io.ringserve.server.codec.TestSignatures.input;
import static io.ringserve.server.codec.TestSignatures.signature;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.models.DType;
import io.ringserve.models.SignatureSpec;
import io.ringserve.server.TextMangler;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Mangled predict bodies, made from valid ones by a seeded generator (the same bodies every run): each decodes, or
 * is refused with INVALID_ARGUMENT, through both entry points alike ({@link JsonPredictRequestDecoderTest#decode}
 * requires the same request or the same error from the stream and from the byte-array fast path). Any other
 * exception is a bug a client could trigger.
 */
class JsonPredictRequestDecoderFuzzTest {
    private static final Map<String, SignatureSpec> SIGNATURES = Map.of(
            "float", signature(input("x", DType.FLOAT)),
            "string", signature(input("s", DType.STRING)),
            "mixed", signature(input("b", DType.FLOAT), input("a", DType.INT32), input("l", DType.INT64),
                    input("t", DType.BOOL), input("u", DType.UINT8), input("d", DType.DOUBLE)));

    private static final List<String[]> VALID = List.of(
            new String[] {"float", "{\"instances\": [1.0, 2, -3.5e2]}"},
            new String[] {"float", "{\"instances\": [[1, 2, 3], [4, 5, 6]]}"},
            new String[] {"float", "{\"inputs\": {\"x\": [[0.25, 0.5]]}, \"signature_name\": \"serving_default\"}"},
            new String[] {"float", "{\"inputs\": [1.5, 2.5]}"},
            new String[] {"string", "{\"instances\": [\"a\", {\"b64\": \"aGk=\"}, \"\\u00e9\"]}"},
            new String[] {"string", "{\"inputs\": {\"s\": [[\"x\"], [\"y\"]]}}"},
            new String[] {"mixed", "{\"instances\": [{\"b\": 1.5, \"a\": 3, \"l\": -9007199254740993, \"t\": true,"
                    + " \"u\": 255, \"d\": 1e-300}]}"},
            new String[] {"mixed", "{\"inputs\": {\"b\": [1], \"a\": [2], \"l\": [3], \"t\": [false], \"u\": [0],"
                    + " \"d\": [4.0]}}"});

    private static final String[] TOKENS = {"1e999", "-1e999", "NaN", "Infinity", "-0", "[[", "]]", "{}", "[]",
        "null", "true", "\"x\"", "{\"b64\": \"!!\"}", "9223372036854775808", "-9223372036854775809", "1.5",
        "\"\\ud800\"", "\"\\u0000\"", ",", ":", "\"instances\"", "\"inputs\"", "\"signature_name\"", "0", "-1",
        "2147483648", "256", "1e2", "0x10", "\"", "\\", "{\"b64\": \"aGk=\"}", "[1, [2]]"};

    /** Values put in place of a number: each valid JSON, many of them wrong for the input's type. */
    private static final String[] VALUES = {"1e999", "NaN", "-0", "[1]", "\"x\"", "true", "null", "256", "-1",
        "9223372036854775808", "-9223372036854775808", "1.5", "[]", "{\"b64\": \"aGk=\"}", "2147483648", "1e-400",
        "0.1", "[[1, 2], [3]]", "{}", "4294967295", "1E+2", "-129"};

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    @Test
    void shouldDecodeOrRefuseEveryMangledBodyAlikeThroughBothEntryPoints() {
        final Random random = new Random(20261130);
        int refused = 0;
        for (int i = 0; i < 6000; i++) {
            final String[] valid = VALID.get(random.nextInt(VALID.size()));
            final String body = random.nextBoolean() ? TextMangler.mangle(valid[1], random, TOKENS, false)
                    : replaceANumber(valid[1], random);
            final SignatureSpec signature = SIGNATURES.get(valid[0]);
            try {
                JsonPredictRequestDecoderTest.decode(body, name -> signature);
            } catch (ServingException e) {
                assertThat(e.code()).as("the code for %s", body).isEqualTo(StatusCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).as("the message for %s", body).isNotBlank();
                refused++;
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("body " + body + " (signature " + valid[0] + "): " + e, e);
            }
        }
        // The generator makes both kinds: a test whose bodies all failed would check nothing of decoding.
        assertThat(refused).isBetween(2000, 5500);
    }

    /** {@code valid} with one of its numbers, chosen at random, replaced by one of {@link #VALUES}. */
    private static String replaceANumber(final String valid, final Random random) {
        final List<MatchResult> numbers = NUMBER.matcher(valid).results().toList();
        if (numbers.isEmpty()) {
            return valid;
        }
        final MatchResult number = numbers.get(random.nextInt(numbers.size()));
        return valid.substring(0, number.start()) + VALUES[random.nextInt(VALUES.length)]
                + valid.substring(number.end());
    }
}
