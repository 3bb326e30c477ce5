package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.models.TestModels;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server with batching: a request whose values fail its batch (an id past an embedding table) gets the
 * error, and the requests batched with it get their answers, as they would without batching.
 */
class BatchFailureIsolationIT {
    @TempDir
    static Path repository;
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        // Batches close only when three requests are in (or after a minute): the three below share one batch.
        server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("lookup", TestModels.writeLookup(repository.resolve("lookup")))))
                .batching(new BatchingConfig(true, BatchingOptions.builder().maxBatchSize(3)
                        .batchTimeout(Duration.ofMinutes(1)).closePolicy(ClosePolicy.TIMEOUT).numBatchThreads(1)
                        .build(), false)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRequestThatFailsItsBatchShouldFailAloneAndTheOthersBeAnswered() {
        final List<CompletableFuture<HttpResponse<String>>> responses = List.of(
                CompletableFuture.supplyAsync(() -> predict("[1]")),
                CompletableFuture.supplyAsync(() -> predict("[12]")),
                CompletableFuture.supplyAsync(() -> predict("[9]")));
        final HttpResponse<String> one = responses.get(0).join();
        final HttpResponse<String> outOfRange = responses.get(1).join();
        final HttpResponse<String> nine = responses.get(2).join();
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(one.body()).isEqualTo("{\"predictions\":[[1.0,-1.0]]}");
        assertThat(nine.statusCode()).as(nine.body()).isEqualTo(200);
        assertThat(nine.body()).isEqualTo("{\"predictions\":[[9.0,-9.0]]}");
        assertThat(outOfRange.statusCode()).isEqualTo(400);
        assertThat(outOfRange.body()).contains("12 is not in [0, 10)");
        assertThat(server.get("/metrics").body()).as("the three ran as one batch first")
                .contains("inference_batches_total{model=\"lookup\",signature=\"serving_default\",version=\"1\"} 1.0")
                .contains("inference_batch_size_rows_max{model=\"lookup\",signature=\"serving_default\",version=\"1\"} 3.0")
                .as("and ran again one by one")
                .contains("inference_batch_reruns_total{model=\"lookup\",signature=\"serving_default\",version=\"1\"} 1.0");
    }

    private static HttpResponse<String> predict(final String ids) {
        return server.post("/v1/models/lookup:predict", "{\"instances\": " + ids + "}");
    }
}
