package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.models.demo.DemoModelGenerator;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server with --enable_batching: concurrent requests share batches and each gets its own rows back. */
class BatchingIT {
    private static final JsonMapper JSON = new JsonMapper();
    @TempDir
    static Path repository;
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        DemoModelGenerator.writeAll(repository);
        server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("half_plus_two", repository.resolve("half_plus_two")),
                        new ModelConfig("mlp", repository.resolve("mlp"))))
                .batching(new BatchingConfig(true, BatchingOptions.builder().maxBatchSize(16).numBatchThreads(2)
                        .build(), false)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldAnswerEveryConcurrentClientWithItsOwnRows() throws Exception {
        final ExecutorService clients = Executors.newFixedThreadPool(16);
        final int requests = 400;
        try {
            final List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                final int first = i * 3;
                final int rows = 1 + i % 3;
                answers.add(clients.submit(() -> {
                    final StringBuilder body = new StringBuilder("{\"instances\":[");
                    for (int r = 0; r < rows; r++) {
                        body.append(r == 0 ? "" : ",").append(first + r);
                    }
                    final HttpResponse<String> response = server.post("/v1/models/half_plus_two:predict",
                            body.append("]}").toString());
                    final JsonNode predictions = JSON.readTree(response.body()).get("predictions");
                    boolean ok = response.statusCode() == 200 && predictions.size() == rows;
                    for (int r = 0; ok && r < rows; r++) {
                        ok = predictions.get(r).asDouble() == 0.5 * (first + r) + 2;
                    }
                    return ok;
                }));
            }
            for (Future<Boolean> answer : answers) {
                assertThat(answer.get()).isTrue();
            }
        } finally {
            clients.shutdownNow();
        }
        final double rowsBatched = server.server().meterRegistry().get("inference.batch.size")
                .tag("model", "half_plus_two").summary().totalAmount();
        assertThat(rowsBatched).isEqualTo(400 / 3 * 6 + 1); // every row went through the batcher exactly once
    }

    @Test
    void shouldHonourAClientTimeoutHeaderAndRejectABadOne() {
        final HttpResponse<String> ok = server.send(HttpRequest.newBuilder(
                server.uri("/v1/models/mlp:predict")).header("X-Request-Timeout-Ms", "60000")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": {\"x\": [" + zeros(784) + "]}}")).build());
        assertThat(ok.statusCode()).isEqualTo(200);
        final HttpResponse<String> bad = server.send(HttpRequest.newBuilder(
                server.uri("/v1/models/mlp:predict")).header("X-Request-Timeout-Ms", "soon")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": {\"x\": [" + zeros(784) + "]}}")).build());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("X-Request-Timeout-Ms");
    }

    private static String zeros(final int n) {
        return "[" + "0,".repeat(n - 1) + "0]";
    }
}
