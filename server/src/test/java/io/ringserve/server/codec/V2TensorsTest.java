package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Shapes a V2 request declares are checked against the data it carries before anything is allocated for them. */
class V2TensorsTest {
    private static ByteBuffer lengthPrefixed(final String... values) {
        final ByteBuffer bytes = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        for (String value : values) {
            final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            bytes.putInt(utf8.length).put(utf8);
        }
        return bytes.flip();
    }

    @Test
    void shouldReadLengthPrefixedStrings() {
        final HostTensor tensor = V2Tensors.fromBinary("tags", DType.STRING, new long[] {2}, lengthPrefixed("a", "bc"));
        assertThat(new String(tensor.stringAt(1), StandardCharsets.UTF_8)).isEqualTo("bc");
    }

    @Test
    void shouldRefuseMoreStringsThanTheBytesCanHoldBeforeAllocatingThem() {
        // Two billion elements would be an array of 8-16 GB; 8 bytes hold at most two.
        assertThatThrownBy(() -> V2Tensors.fromBinary("tags", DType.STRING, new long[] {2_000_000_000},
                lengthPrefixed("abcd")))
                .isInstanceOfSatisfying(ServingException.class, e -> {
                    assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo("input 'tags': shape [2000000000] needs 2000000000 BYTES "
                            + "elements of at least 4 bytes each; binary data has 8 bytes");
                });
    }

    @Test
    void shouldRefuseShapesPastWhatATensorHolds() {
        assertThatThrownBy(() -> V2Tensors.requireShape("x", new long[] {1L << 40, 1L << 40}, DType.FLOAT))
                .isInstanceOf(ServingException.class)
                .hasMessage("input 'x': shape [1099511627776, 1099511627776] holds more elements than a tensor can");
        assertThatThrownBy(() -> V2Tensors.requireShape("x", new long[] {3_000_000_000L}, DType.STRING))
                .isInstanceOf(ServingException.class)
                .hasMessage("input 'x': shape [3000000000] holds 3000000000 elements; a BYTES input holds at most "
                        + "2147483647");
        assertThat(V2Tensors.requireShape("x", new long[] {0, 1L << 40}, DType.FLOAT)).containsExactly(0, 1L << 40);
    }

    @Test
    void unsignedInputsShouldRefuseNegativesAndUint64ShouldTakeItsWholeRange() throws Exception {
        final ObjectMapper json = new ObjectMapper();
        assertThatThrownBy(() -> V2Tensors.read("x", json.readTree(
                "{\"name\": \"x\", \"shape\": [1], \"datatype\": \"UINT8\", \"data\": [-1]}"), DType.UINT8))
                .isInstanceOf(ServingException.class)
                .hasMessage("input 'x': expected a non-negative integer element, got -1");
        final HostTensor big = V2Tensors.read("x", json.readTree("{\"name\": \"x\", \"shape\": [2], "
                + "\"datatype\": \"UINT64\", \"data\": [18446744073709551615, 9223372036854775808]}"), DType.UINT64);
        assertThat(big.longAt(0)).isEqualTo(-1L); // all 64 bits set
        assertThat(big.longAt(1)).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> V2Tensors.read("x", json.readTree("{\"name\": \"x\", \"shape\": [1], "
                + "\"datatype\": \"UINT64\", \"data\": [18446744073709551616]}"), DType.UINT64))
                .isInstanceOf(ServingException.class);
    }

    @Test
    void aWrongElementShouldBeNamedAsTheClientWroteIt() throws Exception {
        final ObjectMapper json = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        assertThatThrownBy(() -> V2Tensors.read("ids", json.readTree(
                "{\"name\": \"ids\", \"shape\": [1], \"datatype\": \"INT64\", \"data\": [NaN]}"), DType.INT64))
                .isInstanceOf(ServingException.class)
                .hasMessage("input 'ids': expected an integer element, got NaN");
    }

    /** Values put in place of a number of a valid input: each valid JSON, many of them wrong for the input. */
    private static final String[] VALUES = {"1e999", "-1e999", "-0", "[1]", "\"x\"", "true", "null", "256", "-1",
        "9223372036854775808", "99999999999999999999", "1.5", "[]", "{}", "2147483648", "1e-400", "[[1, 2], [3]]",
        "4294967296", "-129", "0"};

    @Test
    void shouldReadOrRefuseEveryMangledInputWithInvalidArgument() throws Exception {
        final ObjectMapper json = new ObjectMapper();
        final String[][] valid = {
            {"FLOAT", "{\"name\": \"x\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2.5, 3, 4]}"},
            {"INT32", "{\"name\": \"x\", \"shape\": [3], \"datatype\": \"INT32\", \"data\": [[1], [2], [3]]}"},
            {"UINT8", "{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"UINT8\", \"data\": [0, 255]}"},
            {"INT64", "{\"name\": \"x\", \"shape\": [2], \"datatype\": \"INT64\", \"data\": [1, -2]}"},
            {"BOOL", "{\"name\": \"x\", \"shape\": [2], \"datatype\": \"BOOL\", \"data\": [true, false]}"},
            {"STRING", "{\"name\": \"x\", \"shape\": [1, 1], \"datatype\": \"BYTES\", \"data\": [\"a\"]}"}};
        final Pattern number = Pattern.compile("(?<![\\w.])-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
        final Random random = new Random(20261130);
        int refused = 0;
        for (int i = 0; i < 4000; i++) {
            final String[] input = valid[random.nextInt(valid.length)];
            String text = input[1];
            for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
                final List<MatchResult> numbers = number.matcher(text).results().toList();
                if (numbers.isEmpty()) {
                    break;
                }
                final MatchResult at = numbers.get(random.nextInt(numbers.size()));
                text = text.substring(0, at.start()) + VALUES[random.nextInt(VALUES.length)]
                        + text.substring(at.end());
            }
            try {
                V2Tensors.read("x", json.readTree(text), DType.valueOf(input[0]));
            } catch (ServingException e) {
                assertThat(e.code()).as("the code for %s", text).isEqualTo(StatusCode.INVALID_ARGUMENT);
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("input " + text + ": " + e, e);
            }
        }
        assertThat(refused).isBetween(2000, 3800);
    }
}
