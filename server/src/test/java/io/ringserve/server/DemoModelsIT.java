package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringserve.models.demo.DemoModelGenerator;
import io.ringserve.server.inference.InputShapeGuard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The demo models the launcher serves, generated fresh and served by the real server on a free port. */
@Timeout(300)
class DemoModelsIT {
    private static final JsonMapper JSON = new JsonMapper();
    @TempDir
    static Path repository;
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        DemoModelGenerator.writeAll(repository);
        final List<ModelConfig> models = DemoModelGenerator.MODEL_NAMES.stream()
                .map(name -> new ModelConfig(name, repository.resolve(name))).toList();
        server = RunningServer.serving(models);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode predict(final String model, final String body) throws IOException {
        final HttpResponse<String> response = server.post("/v1/models/" + model + ":predict", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String randomImage(final int floats, final long seed) {
        final Random random = new Random(seed);
        final StringBuilder row = new StringBuilder("[");
        for (int i = 0; i < floats; i++) {
            row.append(i == 0 ? "" : ",").append(random.nextFloat());
        }
        return row.append(']').toString();
    }

    @Test
    void halfPlusTwoShouldAnswerTheReadmeExample() throws IOException {
        assertThat(predict("half_plus_two", "{\"instances\":[1.0,2.0,5.0]}"))
                .isEqualTo(JSON.readTree("{\"predictions\":[2.5,3.0,4.5]}"));
    }

    @Test
    void mlpShouldReturnTenProbabilitiesSummingToOne() throws IOException {
        final JsonNode predictions = predict("mlp", "{\"instances\":[" + randomImage(784, 1) + ","
                + randomImage(784, 2) + "]}").get("predictions");
        assertThat(predictions).hasSize(2);
        for (JsonNode row : predictions) {
            assertThat(row).hasSize(10);
            double sum = 0;
            for (JsonNode p : row) {
                sum += p.asDouble();
            }
            assertThat(sum).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void cnnShouldClassifyAnImage() throws IOException {
        final StringBuilder image = new StringBuilder("[");
        for (int y = 0; y < 32; y++) {
            image.append(y == 0 ? "[" : ",[");
            for (int x = 0; x < 32; x++) {
                image.append(x == 0 ? "" : ",").append("[0.1,0.5,0.9]");
            }
            image.append(']');
        }
        image.append(']');
        final JsonNode outputs = predict("cnn", "{\"inputs\":{\"image\":[" + image + "]}}").get("outputs");
        assertThat(outputs).hasSize(1);
        assertThat(outputs.get(0)).hasSize(10);
    }

    @Test
    void shapesThatWouldAbortTensorFlowShouldBeRefusedAndTheServerShouldStayUp() throws IOException {
        // Each of these aborted the whole process (a failed TensorFlow CHECK) before InputShapeGuard.
        assertRefused("/v1/models/cnn:predict", "{\"instances\":[1.0]}",
                "Input 'image' has shape [1], of rank 1, but the signature declares [-1, 32, 32, 3], of rank 4");
        final StringBuilder pixels = new StringBuilder();
        for (int i = 0; i < 32 * 32; i++) {
            pixels.append(i == 0 ? "" : ",").append("0.1");
        }
        assertRefused("/v2/models/cnn/infer", "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,32,32],"
                + "\"datatype\":\"FP32\",\"data\":[" + pixels + "]}]}",
                "Input 'image' has shape [1, 32, 32], of rank 3, but the signature declares [-1, 32, 32, 3]");
        final String ones = String.join(",", Collections.nCopies(InputShapeGuard.MAX_RANK + 1, "1"));
        assertRefused("/v2/models/half_plus_two/infer", "{\"inputs\":[{\"name\":\"x\",\"shape\":[" + ones
                + "],\"datatype\":\"FP32\",\"data\":[1]}]}",
                "Input 'x' has 255 dimensions; TensorFlow allows at most 254");
        cnnShouldClassifyAnImage();
        halfPlusTwoShouldAnswerTheReadmeExample();
    }

    @Test
    void everyDemoModelShouldAnswerOrRefuseRandomShapesAndStayUp() throws IOException {
        // Seeded: the same 400 requests every run. Each input gets a random rank (0-5) and random sizes, the declared
        // size half the time; every answer must be 200 or 400, never a 500 or a dead server (TensorFlow aborts the
        // process on some shapes: InputShapeGuard).
        final Random random = new Random(20261130);
        final java.util.Map<String, List<String[]>> inputs = java.util.Map.of(
                "half_plus_two", List.<String[]>of(new String[] {"x", "FP32", "-1,1"}),
                "mlp", List.<String[]>of(new String[] {"x", "FP32", "-1,784"}),
                "cnn", List.<String[]>of(new String[] {"image", "FP32", "-1,32,32,3"}),
                "multi_io", List.of(new String[] {"features", "FP32", "-1,4"}, new String[] {"ids", "INT64", "-1"},
                        new String[] {"tags", "BYTES", "-1"}));
        final List<String> models = List.copyOf(new java.util.TreeSet<>(inputs.keySet()));
        final java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < 400; i++) {
            final String model = models.get(random.nextInt(models.size()));
            final StringBuilder body = new StringBuilder("{\"inputs\": [");
            for (String[] input : inputs.get(model)) {
                final String[] declared = input[2].split(",");
                final int rank = random.nextInt(6);
                final List<Long> shape = new ArrayList<>();
                long elements = 1;
                for (int d = 0; d < rank; d++) {
                    final long size = d < declared.length && !declared[d].equals("-1") && random.nextBoolean()
                            ? Long.parseLong(declared[d]) : random.nextInt(5);
                    shape.add(size);
                    elements *= size;
                }
                if (elements > 20_000) {
                    shape.set(0, 0L);
                    elements = 0;
                }
                final String value = input[1].equals("BYTES") ? "\"a\"" : "1";
                body.append(body.charAt(body.length() - 1) == '[' ? "" : ",")
                        .append("{\"name\": \"").append(input[0]).append("\", \"datatype\": \"").append(input[1])
                        .append("\", \"shape\": ").append(shape).append(", \"data\": [")
                        .append(String.join(",", Collections.nCopies((int) elements, value))).append("]}");
            }
            final HttpResponse<String> response = server.post("/v2/models/" + model + "/infer", body + "]}");
            assertThat(response.statusCode()).as(model + " " + body + " -> " + response.body()).isIn(200, 400);
            statuses.merge(response.statusCode(), 1, Integer::sum);
        }
        assertThat(statuses).as("both kinds of answer came").containsKeys(200, 400);
        cnnShouldClassifyAnImage();
    }

    @Test
    void cnnShouldAnswerOrRefuseImagesOfEverySizeWithoutDying() {
        // Sizes are left to TensorFlow (a model exported at one size may serve others): none may abort it.
        for (int height : new int[] {0, 1, 2, 5, 33}) {
            for (int width : new int[] {0, 1, 3, 32}) {
                for (int channels : new int[] {0, 1, 3, 4}) {
                    final int elements = 2 * height * width * channels;
                    final HttpResponse<String> response = server.post("/v2/models/cnn/infer", "{\"inputs\": [{"
                            + "\"name\": \"image\", \"datatype\": \"FP32\", \"shape\": [2, " + height + ", " + width
                            + ", " + channels + "], \"data\": [" + String.join(",", Collections.nCopies(elements, "0.5"))
                            + "]}]}");
                    assertThat(response.statusCode()).as(height + "x" + width + "x" + channels + " -> "
                            + response.body()).isIn(200, 400);
                }
            }
        }
    }

    private static void assertRefused(final String path, final String body, final String message) throws IOException {
        final HttpResponse<String> response = server.post(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains(message);
    }

    @Test
    void multiIoShouldMapEveryInputAndOutputInBothFormats() throws IOException {
        final JsonNode rows = predict("multi_io", "{\"instances\":["
                + "{\"features\":[1,2,3,4],\"ids\":41,\"tags\":\"ab\"},"
                + "{\"features\":[-1,-2,-3,-4],\"ids\":-5,\"tags\":{\"b64\":\"/w==\"}}]}").get("predictions");
        assertThat(rows.get(0)).isEqualTo(JSON.readTree("{\"score\":10.0,\"next_ids\":42,\"tag_length\":2,"
                + "\"positive\":true,\"tags_bytes\":{\"b64\":\"YWI=\"}}"));
        assertThat(rows.get(1)).isEqualTo(JSON.readTree("{\"score\":-10.0,\"next_ids\":-4,\"tag_length\":1,"
                + "\"positive\":false,\"tags_bytes\":{\"b64\":\"/w==\"}}"));
        final JsonNode columns = predict("multi_io", "{\"inputs\":{\"features\":[[0.5,0,0,0]],\"ids\":[9007199254740993],"
                + "\"tags\":[\"xyz\"],\"ignored\":1}}").get("outputs");
        assertThat(columns).isEqualTo(JSON.readTree("{\"score\":[0.5],\"next_ids\":[9007199254740994],"
                + "\"tag_length\":[3],\"positive\":[true],\"tags_bytes\":[{\"b64\":\"eHl6\"}]}"));
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws IOException {
        final String first = "POST /v1/models/half_plus_two:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n"
                + "{\"instances\":[1]}";
        final String second = "POST /v1/models/half_plus_two:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n"
                + "Connection: close\r\n\r\n{\"instances\":[3]}";
        try (Socket socket = new Socket("127.0.0.1", server.server().restPort())) {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            out.write((first + second).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final String responses = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(responses).containsSubsequence("{\"predictions\":[2.5]}", "{\"predictions\":[3.5]}");
        }
    }

    @Test
    void shouldAnswerManyConcurrentClientsEachWithTheirOwnRows() throws Exception {
        final ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            final List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                final int x = i;
                results.add(clients.submit(() -> {
                    final JsonNode out = predict("half_plus_two", "{\"instances\":[" + x + "]}");
                    return out.get("predictions").get(0).asDouble() == 0.5 * x + 2;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
