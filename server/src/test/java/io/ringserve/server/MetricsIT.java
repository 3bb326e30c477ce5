package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.models.TestData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus exposition of a real server: the in-flight gauge follows the requests a client has outstanding and
 * returns to 0, request outcomes are counted with bounded labels, and the scrape passes {@code promtool check metrics}.
 */
@Timeout(120)
class MetricsIT {
    /** One batch holds this many rows: the test keeps one fewer waiting, then sends the one that closes it. */
    private static final int BATCH = 21;
    private static RunningServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws InterruptedException {
        server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("half_plus_two", TestData.tfServing("saved_model_half_plus_two_cpu"))))
                .monitoringPath("/monitoring/prometheus/metrics")
                .metricsPort(0)
                .batching(new BatchingConfig(true, BatchingOptions.builder().maxBatchSize(BATCH).numBatchThreads(1)
                        .closePolicy(ClosePolicy.TIMEOUT).batchTimeout(Duration.ofMinutes(1)).build(), false)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private String scrape() {
        final HttpResponse<String> response = server.get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        return response.body();
    }

    private static double value(final String exposition, final String series) {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private CompletableFuture<HttpResponse<String>> predictAsync(final double x) {
        return client.sendAsync(HttpRequest.newBuilder(server.uri("/v1/models/half_plus_two:predict"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[" + x + "]]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The only test that sends predict requests: the batch it fills must start empty. */
    @Test
    void inflightShouldCountOutstandingRequestsAndReturnToZero() throws Exception {
        final List<CompletableFuture<HttpResponse<String>>> outstanding = new ArrayList<>();
        for (int i = 0; i < BATCH - 1; i++) {
            outstanding.add(predictAsync(i));
        }
        // The batch waits for its last row, so every request sent so far is in flight.
        double inflight = 0;
        for (int attempt = 0; attempt < 400 && inflight != BATCH - 1; attempt++) {
            inflight = value(scrape(), "inference_requests_inflight");
            Thread.sleep(25);
        }
        assertThat(inflight).isEqualTo(BATCH - 1);
        outstanding.add(predictAsync(100));
        for (CompletableFuture<HttpResponse<String>> response : outstanding) {
            assertThat(response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        double after = -1;
        for (int attempt = 0; attempt < 400 && after != 0; attempt++) {
            after = value(scrape(), "inference_requests_inflight");
            Thread.sleep(25);
        }
        assertThat(after).isZero();
        final String exposition = scrape();
        assertThat(value(exposition, "inference_requests_total{model=\"half_plus_two\",protocol=\"rest\","
                + "status=\"ok\"}")).isGreaterThanOrEqualTo(BATCH);
        assertThat(value(exposition, "inference_batches_total{model=\"half_plus_two\",signature=\"serving_default\","
                + "version=\"123\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldLabelUnknownModelsAsUnknownAndCountClientErrors() throws InterruptedException {
        assertThat(server.post("/v1/models/no_such_model_" + System.nanoTime() + ":predict", "{}").statusCode())
                .isEqualTo(404);
        // Counted once the answer is written, on its event loop: the scrape may come first.
        double clientErrors = 0;
        for (int attempt = 0; attempt < 1200 && clientErrors < 1; attempt++) {
            clientErrors = value(scrape(), "inference_requests_total{model=\"unknown\",protocol=\"rest\","
                    + "status=\"client_error\"}");
            Thread.sleep(25);
        }
        assertThat(clientErrors).isGreaterThanOrEqualTo(1);
        assertThat(scrape()).doesNotContain("no_such_model_");
    }

    @Test
    void shouldExposeModelStateAndServeTfServingsMonitoringPathAndTheMetricsPort() throws Exception {
        final String exposition = scrape();
        assertThat(value(exposition, "inference_model_available{model=\"half_plus_two\"}")).isEqualTo(1);
        assertThat(exposition).contains("jvm_memory_used_bytes");
        assertThat(server.get("/monitoring/prometheus/metrics").body()).contains("inference_requests_inflight");
        final HttpResponse<String> fromMetricsPort = client.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.server().metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fromMetricsPort.statusCode()).isEqualTo(200);
        assertThat(fromMetricsPort.body()).contains("inference_requests_inflight");
        final HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.server().metricsPort() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as("as on the REST port").isEqualTo(405);
        assertThat(posted.headers().firstValue("allow")).contains("GET, HEAD");
    }

    @Test
    void scrapeShouldPassPromtool() throws Exception {
        final Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool is installed by .ci/run");
        // Any inference request makes the request series appear (this one is answered 404 at once).
        assertThat(server.post("/v1/models/missing:predict", "{}").statusCode()).isEqualTo(404);
        final Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectErrorStream(true).start();
        check.getOutputStream().write(scrape().getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        final String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).isBlank();
    }
}
