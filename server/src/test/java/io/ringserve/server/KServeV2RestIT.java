package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KServe V2 REST on the real server, on TF Serving's half_plus_two (version 123) and its two-version model. */
class KServeV2RestIT {
    private static final JsonMapper JSON = new JsonMapper();
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = RunningServer.serving(List.of(
                new ModelConfig("half_plus_two", RunningServer.tfServingTestData("saved_model_half_plus_two_cpu")),
                new ModelConfig("two_versions", RunningServer.tfServingTestData("saved_model_half_plus_two_2_versions"))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(final HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    void shouldDescribeTheServerAndTheModel() throws IOException {
        final JsonNode server = json(KServeV2RestIT.server.get("/v2"));
        assertThat(server.get("name").asText()).isEqualTo("ringserve");
        assertThat(server.get("extensions").isArray()).isTrue();
        final HttpResponse<String> metadata = KServeV2RestIT.server.get("/v2/models/half_plus_two");
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(json(metadata)).isEqualTo(JSON.readTree("""
                {"name": "half_plus_two", "versions": ["123"], "platform": "tensorflow_savedmodel",
                 "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 1]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}"""));
        assertThat(json(KServeV2RestIT.server.get("/v2/models/two_versions/versions/124")).get("versions").toString())
                .isEqualTo("[\"124\"]");
    }

    @Test
    void shouldListTheModelsAsKServeDoes() throws IOException {
        assertThat(json(server.get("/v2/models"))).isEqualTo(JSON.readTree(
                "{\"models\": [\"half_plus_two\", \"two_versions\"]}"));
        final HttpResponse<String> wrongMethod = server.post("/v2/models", "{}");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).contains("GET, HEAD");
    }

    @Test
    void shouldAnswerReadinessPerModelAndVersion() throws IOException {
        final HttpResponse<String> ready = server.get("/v2/models/half_plus_two/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready)).isEqualTo(JSON.readTree("{\"name\": \"half_plus_two\", \"ready\": true}"));
        assertThat(server.get("/v2/models/two_versions/versions/124/ready").statusCode()).isEqualTo(200);
        // 123 is on disk, but the version policy (the latest) never loads it: not served, as in TF Serving.
        final HttpResponse<String> older = server.get("/v2/models/two_versions/versions/123/ready");
        assertThat(older.statusCode()).isEqualTo(404);
        assertThat(older.body()).contains("has no version 123");
        assertThat(server.get("/v2/models/nope/ready").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldInferWithFlatOrNestedDataAndEchoTheId() throws IOException {
        for (String data : List.of("[1, 2, 5]", "[[1], [2], [5]]")) {
            final HttpResponse<String> response = server.post("/v2/models/half_plus_two/infer", """
                    {"id": "req-7", "inputs": [{"name": "x", "shape": [3, 1], "datatype": "FP32", "data": %s}]}
                    """.formatted(data));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response)).isEqualTo(JSON.readTree("""
                    {"model_name": "half_plus_two", "model_version": "123", "id": "req-7",
                     "outputs": [{"name": "y", "datatype": "FP32", "shape": [3, 1], "data": [2.5, 3.0, 4.5]}]}"""));
        }
        final HttpResponse<String> versioned = server.post("/v2/models/two_versions/versions/124/infer",
                "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1], \"datatype\": \"FP32\", \"data\": [1]}],"
                        + " \"outputs\": [{\"name\": \"y\"}]}");
        assertThat(json(versioned).get("model_version").asText()).isEqualTo("124");
        assertThat(json(versioned).get("outputs").get(0).get("data").get(0).floatValue()).isEqualTo(2.5f);
    }

    @Test
    void shouldAnswerARequestLargeEnoughToBeDecodedOffTheEventLoop() throws IOException {
        final StringBuilder data = new StringBuilder("0");
        for (int i = 1; i < 100_000; i++) {
            data.append(',').append(i);
        }
        final HttpResponse<String> response = server.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{\"name\": "
                + "\"x\", \"shape\": [100000, 1], \"datatype\": \"FP32\", \"data\": [" + data + "]}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        final JsonNode output = json(response).get("outputs").get(0);
        assertThat(output.get("shape").toString()).isEqualTo("[100000,1]");
        assertThat(output.get("data").get(99_999).floatValue()).isEqualTo(99_999 / 2f + 2);
    }

    @Test
    void shouldTakeTheInfinityTokensButNotDigitsPastADouble() {
        final HttpResponse<String> tokens = server.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{\"name\": "
                + "\"x\", \"shape\": [3, 1], \"datatype\": \"FP32\", \"data\": [Infinity, -Infinity, 1e38]}]}");
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        assertThat(tokens.body()).contains("\"data\":[Infinity,-Infinity,");
        final HttpResponse<String> digits = server.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{\"name\": "
                + "\"x\", \"shape\": [2, 1], \"datatype\": \"FP32\", \"data\": [1, -1e999]}]}");
        assertThat(digits.statusCode()).isEqualTo(400);
        assertThat(digits.body()).contains("Number too big to be stored in double: -1e999");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            wrong datatype    | {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP64", "data": [1]}]}                 | 400 | input 'x' has datatype FP64, but the model expects FP32
            too few elements  | {"inputs": [{"name": "x", "shape": [2, 1], "datatype": "FP32", "data": [1]}]}                 | 400 | input 'x' has 1 elements in data, but shape [2, 1] needs 2
            not a number      | {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "data": ["a"]}]}               | 400 | expected a number element
            number past double| {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "data": [1e999]}]}             | 400 | Number too big to be stored in double: 1e999
            unknown input     | {"inputs": [{"name": "z", "shape": [1], "datatype": "FP32", "data": [1]}]}                    | 400 | Unknown input 'z'; the model's inputs are [x]
            no inputs         | {"outputs": [{"name": "y"}]}                                                                   | 400 | The request needs an 'inputs' array
            unknown output    | {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "q"}]} | 400 | Unknown output 'q'
            duplicate output  | {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "y"}, {"name": "y"}]} | 400 | output 'y' already exists in request
            binary data short | {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "parameters": {"binary_data_size": 4}}]} | 400 | is Inference-Header-Content-Length missing?
            negative size     | {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "parameters": {"binary_data_size": -1}}]} | 400 | input 'x': binary_data_size -1 is not a byte count (a non-negative integer)
            fractional size   | {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "parameters": {"binary_data_size": 1.5}}]} | 400 | input 'x': binary_data_size 1.5 is not a byte count
            negative shape    | {"inputs": [{"name": "x", "shape": [-1, 1], "datatype": "FP32", "data": [1]}]}                | 400 | not a non-negative integer
            shape past a long | {"inputs": [{"name": "x", "shape": [99999999999999999999, 1], "datatype": "FP32", "data": [1]}]} | 400 | shape holds 99999999999999999999, not a non-negative integer
            elements overflow | {"inputs": [{"name": "x", "shape": [99999999999, 99999999999], "datatype": "FP32", "data": [1]}]} | 400 | input 'x': shape [99999999999, 99999999999] holds more elements than a tensor can
            too many elements | {"inputs": [{"name": "x", "shape": [1073741824, 1], "datatype": "FP32", "data": [1]}]}        | 400 | shape [1073741824, 1] holds 1073741824 elements; a FP32 input holds at most 536870911
            not json          | {"inputs": [                                                                                   | 400 | The request body is not JSON
            more after json   | {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]} {}                  | 400 | The request body has more after its JSON object, at offset 75 (binary data needs the Inference-Header-Content-Length header)
            garbage after json| {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]} garbage             | 400 | The request body is not JSON: Unrecognized token 'garbage'
            id not a string   | {"id": 42, "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}          | 400 | 'id' must be a string, got 42
            parameters number | {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "parameters": 5}   | 400 | 'parameters' of the request must be an object, got 5
            input parameters  | {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1], "parameters": []}]}  | 400 | 'parameters' of input 'x' must be an object, got []
            binary output flag| {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "parameters": {"binary_data_output": "yes"}} | 400 | binary_data_output of the request must be true or false, got
            output flag       | {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "y", "parameters": {"binary_data": 1}}]} | 400 | binary_data of output 'y' must be true or false, got 1
            """)
    void shouldRefuseBadInferRequestsNamingTheMistake(final String mistake, final String body, final int status,
                                                      final String message) {
        final HttpResponse<String> response = server.post("/v2/models/half_plus_two/infer", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains(message);
        assertThat(server.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1],"
                + " \"datatype\": \"FP32\", \"data\": [1]}]}").statusCode()).as("the next request is served").isEqualTo(200);
    }

    @Test
    void headShouldBeAnsweredWhereGetIsWithTheHeadAlone() throws Exception {
        // Raw, on one connection: a HEAD answer that carried a body would corrupt the GET after it.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.server().restPort())) {
            socket.setSoTimeout(30_000);
            final String heads = "HEAD /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /v2/models/half_plus_two/ready HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /v2/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(heads.getBytes(StandardCharsets.US_ASCII));
            final String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answers.split("HTTP/1.1 ", -1)).hasSize(5).allSatisfy(
                    answer -> assertThat(answer).satisfiesAnyOf(a -> assertThat(a).isEmpty(),
                            a -> assertThat(a).startsWith("200 OK")));
            assertThat(answers).doesNotContain("{\"error\"");
        }
    }

    @Test
    void aPlusInAModelNameShouldStayAPlusAsInTriton() {
        final HttpResponse<String> response = server.get("/v2/models/a+b%2Fc");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("a+b/c").doesNotContain("a b");
    }

    @Test
    void anEmptyOrNullOutputsListShouldAnswerEveryOutputAsAnOmittedOneDoes() throws IOException {
        for (String outputs : List.of("[]", "null")) {
            final HttpResponse<String> response = server.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{"
                    + "\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}], \"outputs\": "
                    + outputs + ", \"id\": null, \"parameters\": null}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(json(response).get("outputs").get(0).get("name").asText()).isEqualTo("y");
        }
    }

    @Test
    void aMalformedBodyShouldBeDescribedWithoutTheParsersInternals() throws IOException {
        for (String body : List.of("{", "[".repeat(1500))) {
            final HttpResponse<String> response = server.post("/v2/models/half_plus_two/infer", body);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(json(response).get("error").asText()).startsWith("The request body is not JSON: ")
                    .doesNotContain("Source:", "StreamReadConstraints", "offset: -1");
        }
    }

    @Test
    void aVersionNeverLoadedShouldBeNotFoundRatherThanNotReady() throws IOException {
        final HttpResponse<String> response = server.get("/v2/models/two_versions/versions/9/ready");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).isEqualTo(
                "Model two_versions has no version 9 (its versions: [124])");
    }

    @Test
    void shouldAnswerUnknownModelsAndWrongMethods() {
        assertThat(server.post("/v2/models/nope/infer", "{}").statusCode()).isEqualTo(404);
        final HttpResponse<String> getInfer = server.get("/v2/models/half_plus_two/infer");
        assertThat(getInfer.statusCode()).isEqualTo(405);
        assertThat(getInfer.headers().firstValue("allow")).contains("POST");
        assertThat(getInfer.body()).contains("GET /v2/models/half_plus_two/infer is not served; use POST");
        assertThat(server.get("/v2/models/half_plus_two/versions/abc").statusCode()).isEqualTo(404);
        assertThat(server.get("/v2/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCountV2InferencesInTheAutoscalingMetrics() throws InterruptedException {
        final String series = "inference_requests_total{model=\"half_plus_two\",protocol=\"rest\",status=\"ok\"}";
        // A request is counted once its answer is written, on its event loop: let the other tests' settle first.
        awaitMetric("inference_requests_inflight", 0);
        final double before = metric(series);
        assertThat(server.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1],"
                + " \"datatype\": \"FP32\", \"data\": [1]}]}").statusCode()).isEqualTo(200);
        awaitMetric(series, before + 1);
        assertThat(metric(series)).isEqualTo(before + 1);
    }

    /** Waits up to 30 s for {@code series} to read {@code expected}, as the scrape after a write may come first. */
    private static void awaitMetric(final String series, final double expected) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (metric(series) != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static double metric(final String series) {
        return server.get("/metrics").body().lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElse(0);
    }

    private static HttpResponse<byte[]> postBinary(final String json, final byte[] binary, final String headerLength)
            throws IOException, InterruptedException {
        final byte[] head = json.getBytes(StandardCharsets.UTF_8);
        final byte[] body = ByteBuffer.allocate(head.length + binary.length).put(head).put(binary).array();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("/v2/models/half_plus_two/infer"))
                .header("Inference-Header-Content-Length", headerLength == null ? Integer.toString(head.length)
                        : headerLength)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] floats(final float... values) {
        final ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        return bytes.array();
    }

    @Test
    void shouldTakeAndGiveBinaryTensorDataAsTritonClientsSendIt() throws Exception {
        final HttpResponse<byte[]> response = postBinary("""
                {"inputs": [{"name": "x", "shape": [3, 1], "datatype": "FP32", "parameters": {"binary_data_size": 12}}],
                 "outputs": [{"name": "y", "parameters": {"binary_data": true}}]}""", floats(1f, 2f, 5f), null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("application/octet-stream");
        final int jsonLength = Integer.parseInt(response.headers().firstValue("inference-header-content-length")
                .orElseThrow());
        final JsonNode head = JSON.readTree(Arrays.copyOf(response.body(), jsonLength));
        assertThat(head.get("outputs").get(0).get("parameters").get("binary_data_size").asInt()).isEqualTo(12);
        assertThat(head.get("outputs").get(0).has("data")).isFalse();
        assertThat(Arrays.copyOfRange(response.body(), jsonLength, response.body().length))
                .isEqualTo(floats(2.5f, 3f, 4.5f));

        // Binary in, JSON out: binary_data_output is not set and the output does not ask for it.
        final HttpResponse<byte[]> mixed = postBinary("""
                {"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "parameters": {"binary_data_size": 4}}]}""",
                floats(1f), null);
        assertThat(JSON.readTree(mixed.body()).get("outputs").get(0).get("data").get(0).floatValue()).isEqualTo(2.5f);
        assertThat(mixed.headers().firstValue("inference-header-content-length")).isEmpty();
    }

    @Test
    void shouldRefuseBinaryDataThatDoesNotAddUp() throws Exception {
        final String one = """
                {"inputs": [{"name": "x", "shape": [2, 1], "datatype": "FP32", "parameters": {"binary_data_size": 8}}]}""";
        assertThat(new String(postBinary(one, floats(1f), null).body(), StandardCharsets.UTF_8))
                .contains("binary_data_size 8, but 4 bytes of binary data are left");
        assertThat(new String(postBinary(one, floats(1f, 2f, 3f), null).body(), StandardCharsets.UTF_8))
                .contains("4 bytes of binary data are not claimed");
        final String wrongShape = """
                {"inputs": [{"name": "x", "shape": [3, 1], "datatype": "FP32", "parameters": {"binary_data_size": 8}}]}""";
        assertThat(new String(postBinary(wrongShape, floats(1f, 2f), null).body(), StandardCharsets.UTF_8))
                .contains("input 'x' has 8 bytes of binary data, but shape [3, 1] of FP32 needs 12");
        final String both = """
                {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [100],
                  "parameters": {"binary_data_size": 4}}]}""";
        assertThat(new String(postBinary(both, floats(1f), null).body(), StandardCharsets.UTF_8))
                .contains("input 'x' has both 'data' and binary_data_size; its values come from one or the other");
        final HttpResponse<byte[]> badLength = postBinary(one, floats(1f, 2f), "99999999999");
        assertThat(badLength.statusCode()).isEqualTo(400);
        assertThat(new String(badLength.body(), StandardCharsets.UTF_8)).contains("Inference-Header-Content-Length is "
                + "99999999999; it must be the JSON header's length in bytes, from 0 to the body's");
        // 2^62 floats are 2^64 bytes, which wraps to 0 in a long: refused, never handed to TensorFlow.
        final String wraps = """
                {"inputs": [{"name": "x", "shape": [4611686018427387904], "datatype": "FP32",
                  "parameters": {"binary_data_size": 0}}]}""";
        final HttpResponse<byte[]> wrapped = postBinary(wraps, new byte[0], null);
        assertThat(wrapped.statusCode()).isEqualTo(400);
        assertThat(new String(wrapped.body(), StandardCharsets.UTF_8)).contains("shape [4611686018427387904] holds "
                + "4611686018427387904 elements; a FP32 input holds at most 536870911");
    }

    @Test
    void aRawBinaryRequestShouldBeTheOneInputsBytesForOneRowAnsweredInBinary() throws Exception {
        final HttpResponse<byte[]> raw = postBinary("", floats(4f), "0");
        assertThat(raw.statusCode()).isEqualTo(200);
        final int jsonLength = Integer.parseInt(raw.headers().firstValue("inference-header-content-length")
                .orElseThrow());
        final JsonNode head = JSON.readTree(Arrays.copyOf(raw.body(), jsonLength));
        assertThat(head.get("outputs").get(0).get("shape").toString()).isEqualTo("[1,1]");
        assertThat(Arrays.copyOfRange(raw.body(), jsonLength, raw.body().length)).isEqualTo(floats(4f));
        final HttpResponse<byte[]> twoRows = postBinary("", floats(1f, 2f), "0");
        assertThat(twoRows.statusCode()).isEqualTo(400);
        assertThat(new String(twoRows.body(), StandardCharsets.UTF_8))
                .contains("The raw input 'x' has 8 bytes, but shape [1, 1] of FP32 needs 4");
    }
}
