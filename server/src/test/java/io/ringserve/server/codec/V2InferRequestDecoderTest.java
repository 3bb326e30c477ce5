package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.codec.V2InferRequestDecoder.V2InferRequest;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The V2 REST request body, JSON and binary section, decoded against a signature without a server around it. */
class V2InferRequestDecoderTest {
    /** Inputs x (FP32 [-1, 2]) and tags (BYTES [-1]); outputs y then scores, in that declared order. */
    private static final SignatureSpec SIGNATURE = signature();

    private final V2InferRequestDecoder decoder = new V2InferRequestDecoder(new ObjectMapper());

    private static SignatureSpec signature() {
        final Map<String, TensorSpec> inputs = new LinkedHashMap<>();
        inputs.put("x", TestSignatures.input("x", DType.FLOAT, -1, 2));
        inputs.put("tags", TestSignatures.input("tags", DType.STRING, -1));
        final Map<String, TensorSpec> outputs = new LinkedHashMap<>();
        outputs.put("y", TestSignatures.input("y", DType.FLOAT, -1, 1));
        outputs.put("scores", TestSignatures.input("scores", DType.FLOAT, -1));
        return new SignatureSpec(SignatureSpec.DEFAULT_KEY, "tensorflow/serving/predict", inputs, outputs);
    }

    private static final String X = "{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1.5, -2]}";
    private static final String TAGS = "{\"name\": \"tags\", \"shape\": [2], \"datatype\": \"BYTES\", "
            + "\"data\": [\"a\", \"bc\"]}";
    private static final String INPUTS = "\"inputs\": [" + X + ", " + TAGS + "]";

    private static ByteBuf body(final String json, final byte[]... binary) {
        final ByteBuf content = Unpooled.buffer();
        content.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        for (byte[] chunk : binary) {
            content.writeBytes(chunk);
        }
        return content;
    }

    private static String length(final String json) {
        return Integer.toString(json.getBytes(StandardCharsets.UTF_8).length);
    }

    private V2InferRequest decode(final String json) {
        return decoder.decode(SIGNATURE, body(json), null);
    }

    private static byte[] floats(final float... values) {
        final ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putFloat(value);
        }
        return bytes.array();
    }

    private static byte[] strings(final String... values) {
        final ByteBuffer bytes = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        for (String value : values) {
            final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            bytes.putInt(utf8.length).put(utf8);
        }
        final byte[] out = new byte[bytes.position()];
        bytes.flip().get(out);
        return out;
    }

    private static void assertRefused(final ThrowingCallable decoding, final String message) {
        assertThatThrownBy(decoding).isInstanceOfSatisfying(ServingException.class, e -> {
            assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private static void assertX(final HostTensor x) {
        assertThat(x.dtype()).isEqualTo(DType.FLOAT);
        assertThat(x.shape()).containsExactly(1, 2);
        assertThat(x.floatAt(0)).isEqualTo(1.5f);
        assertThat(x.floatAt(1)).isEqualTo(-2f);
    }

    private static void assertTags(final HostTensor tags) {
        assertThat(tags.dtype()).isEqualTo(DType.STRING);
        assertThat(tags.shape()).containsExactly(2);
        assertThat(new String(tags.stringAt(0), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(new String(tags.stringAt(1), StandardCharsets.UTF_8)).isEqualTo("bc");
    }

    @Test
    void shouldDecodeFlatJsonInputsWithTheirIdAndEveryOutputAsJson() {
        final V2InferRequest request = decode("{\"id\": \"r-1\", " + INPUTS + "}");
        assertThat(request.id().textValue()).isEqualTo("r-1");
        assertThat(request.inputs()).containsOnlyKeys("x", "tags");
        assertX(request.inputs().get("x"));
        assertTags(request.inputs().get("tags"));
        assertThat(request.outputs()).containsExactly(Map.entry("y", false), Map.entry("scores", false));
    }

    @Test
    void anAbsentOrNullIdShouldBeNone() {
        assertThat(decode("{" + INPUTS + "}").id()).isNull();
        assertThat(decode("{\"id\": null, " + INPUTS + "}").id()).isNull();
    }

    @Test
    void shouldDecodeBinaryInputsFromTheBytesAfterTheHeaderLength() {
        final String json = "{\"inputs\": ["
                + "{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
                + "\"parameters\": {\"binary_data_size\": 8}},"
                + "{\"name\": \"tags\", \"shape\": [2], \"datatype\": \"BYTES\", "
                + "\"parameters\": {\"binary_data_size\": "
                + strings("a", "bc").length + "}}]}";
        final ByteBuf content = body(json, floats(1.5f, -2f), strings("a", "bc"));
        final int readerIndex = content.readerIndex();
        final V2InferRequest request = decoder.decode(SIGNATURE, content, " " + length(json) + " ");
        assertX(request.inputs().get("x"));
        assertTags(request.inputs().get("tags"));
        assertThat(content.readerIndex()).isEqualTo(readerIndex);
    }

    @Test
    void binaryAndJsonInputsShouldMix() {
        final String json = "{\"inputs\": [" + TAGS + ", {\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
                + "\"parameters\": {\"binary_data_size\": 8}}]}";
        final V2InferRequest request = decoder.decode(SIGNATURE, body(json, floats(1.5f, -2f)), length(json));
        assertX(request.inputs().get("x"));
        assertTags(request.inputs().get("tags"));
    }

    @Test
    void noOutputsNamedShouldAnswerEveryOutputInDeclaredOrderBinaryAsBinaryDataOutputSays() {
        for (String outputs : new String[] {"", ", \"outputs\": []", ", \"outputs\": null"}) {
            assertThat(decode("{" + INPUTS + outputs + "}").outputs())
                    .as(outputs).containsExactly(Map.entry("y", false), Map.entry("scores", false));
            assertThat(decode("{" + INPUTS + outputs + ", \"parameters\": {\"binary_data_output\": true}}").outputs())
                    .as(outputs).containsExactly(Map.entry("y", true), Map.entry("scores", true));
            assertThat(decode("{" + INPUTS + outputs + ", \"parameters\": {\"binary_data_output\": false}}").outputs())
                    .as(outputs).containsExactly(Map.entry("y", false), Map.entry("scores", false));
        }
        assertThat(decode("{" + INPUTS + ", \"parameters\": null}").outputs())
                .containsExactly(Map.entry("y", false), Map.entry("scores", false));
    }

    @Test
    void namedOutputsShouldComeInTheRequestsOrderEachWithItsOwnBinaryData() {
        assertThat(decode("{" + INPUTS + ", \"outputs\": [{\"name\": \"scores\", "
                + "\"parameters\": {\"binary_data\": true}}, {\"name\": \"y\"}]}").outputs())
                .containsExactly(Map.entry("scores", true), Map.entry("y", false));
        // binary_data of an output overrides binary_data_output; an output without one follows it.
        assertThat(decode("{" + INPUTS + ", \"parameters\": {\"binary_data_output\": true}, \"outputs\": ["
                + "{\"name\": \"y\", \"parameters\": {\"binary_data\": false}}, {\"name\": \"scores\", "
                + "\"parameters\": null}]}").outputs())
                .containsExactly(Map.entry("y", false), Map.entry("scores", true));
        assertThat(decode("{" + INPUTS + ", \"outputs\": [{\"name\": \"y\"}]}").outputs())
                .containsExactly(Map.entry("y", false));
    }

    @Test
    void shouldRefuseAnIdThatIsNotAString() {
        assertRefused(() -> decode("{\"id\": 7, " + INPUTS + "}"), "'id' must be a string, got 7");
        assertRefused(() -> decode("{\"id\": {\"a\": 1}, " + INPUTS + "}"), "'id' must be a string, got {\"a\":1}");
    }

    @Test
    void shouldRefuseParametersThatAreNotAnObject() {
        assertRefused(() -> decode("{" + INPUTS + ", \"parameters\": [true]}"),
                "'parameters' of the request must be an object, got [true]");
        assertRefused(() -> decode("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2], \"parameters\": \"binary\"}, " + TAGS + "]}"),
                "'parameters' of input 'x' must be an object, got \"binary\"");
        assertRefused(() -> decode("{" + INPUTS + ", \"outputs\": [{\"name\": \"y\", \"parameters\": 1}]}"),
                "'parameters' of output 'y' must be an object, got 1");
    }

    @Test
    void shouldRefuseBinaryFlagsThatAreNotBooleans() {
        assertRefused(() -> decode("{" + INPUTS + ", \"parameters\": {\"binary_data_output\": \"true\"}}"),
                "binary_data_output of the request must be true or false, got \"true\"");
        assertRefused(() -> decode("{" + INPUTS + ", \"outputs\": [{\"name\": \"scores\", "
                + "\"parameters\": {\"binary_data\": 1}}]}"),
                "binary_data of output 'scores' must be true or false, got 1");
    }

    @Test
    void shouldRefuseAnInputWithBothDataAndBinaryDataSize() {
        final String json = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2], \"parameters\": {\"binary_data_size\": 8}}, " + TAGS + "]}";
        assertRefused(() -> decoder.decode(SIGNATURE, body(json, floats(1, 2)), length(json)),
                "input 'x' has both 'data' and binary_data_size; its values come from one or the other");
    }

    @Test
    void shouldRefuseBinaryDataSizesThatAreNoByteCountOrMoreThanIsLeft() {
        final String negative = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
                + "\"parameters\": {\"binary_data_size\": -8}}, " + TAGS + "]}";
        assertRefused(() -> decoder.decode(SIGNATURE, body(negative), length(negative)),
                "input 'x': binary_data_size -8 is not a byte count (a non-negative integer)");
        final String big = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
                + "\"parameters\": {\"binary_data_size\": 8}}, " + TAGS + "]}";
        assertRefused(() -> decoder.decode(SIGNATURE, body(big, floats(1)), length(big)),
                "input 'x': binary_data_size 8, but 4 bytes of binary data are left");
        assertRefused(() -> decode(big),
                "input 'x': binary_data_size 8, but 0 bytes of binary data are left "
                        + "(is Inference-Header-Content-Length missing?)");
    }

    @Test
    void shouldRefuseJsonFollowedByMore() {
        final String json = "{" + INPUTS + "}";
        assertRefused(() -> decode(json + " {}"), "The request body has more after its JSON object, at offset "
                + (Integer.parseInt(length(json)) + 1)
                + " (binary data needs the Inference-Header-Content-Length header)");
        // With the header, what follows the JSON part is binary data; more inside the JSON part is still refused.
        final String twice = json + " {}";
        assertRefused(() -> decoder.decode(SIGNATURE, body(twice), length(twice)),
                "The request body has more after its JSON object, at offset " + (Integer.parseInt(length(json)) + 1));
    }

    @Test
    void shouldRefuseBinaryBytesNoInputClaims() {
        final String json = "{" + INPUTS + "}";
        assertRefused(() -> decoder.decode(SIGNATURE, body(json, new byte[3]), length(json)),
                "3 bytes of binary data are not claimed by any input's binary_data_size");
    }

    @Test
    void shouldRefuseAHeaderLengthOutsideTheBody() {
        final String json = "{" + INPUTS + "}";
        final int size = Integer.parseInt(length(json));
        for (String header : new String[] {"-1", " abc ", Integer.toString(size + 1), "99999999999"}) {
            assertRefused(() -> decoder.decode(SIGNATURE, body(json), header), "Inference-Header-Content-Length is "
                    + header.trim() + "; it must be the JSON header's length in bytes, from 0 to the body's " + size);
        }
    }

    @Test
    void shouldRefuseABodyThatIsNoJsonObject() {
        assertRefused(() -> decode("[1]"), "The request body must be a JSON object with 'inputs'");
        assertRefused(() -> decode(""), "The request body must be a JSON object with 'inputs'");
        assertThatThrownBy(() -> decode("{\"inputs\": ")).isInstanceOf(ServingException.class)
                .hasMessageStartingWith("The request body is not JSON: ");
        assertRefused(() -> decode("{\"outputs\": []}"),
                "The request needs an 'inputs' array; the model's inputs are [x, tags]");
        assertRefused(() -> decode("{" + INPUTS + ", \"outputs\": {\"name\": \"y\"}}"),
                "'outputs' must be an array of {\"name\": ...}");
    }
}
