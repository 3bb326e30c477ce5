package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.ClosePolicy;
import io.ringserve.server.config.BatchingParametersFile;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real server with TF Serving's {@code pad_variable_length_inputs}: requests of different lengths share a batch,
 * each padded with its own first element, and each answer keeps the batch's width, as TF Serving answers.
 */
class PaddedBatchingIT {
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        // A batching parameters file as a TF Serving user writes it; batches close when two rows are in.
        server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("half_plus_two",
                        RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))))
                .batching(new BatchingConfig(true, BatchingParametersFile.parse("""
                        max_batch_size { value: 2 }
                        batch_timeout_micros { value: 60000000 }
                        num_batch_threads { value: 1 }
                        pad_variable_length_inputs: true
                        """, ClosePolicy.TIMEOUT), false)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void requestsOfDifferentLengthsShouldShareABatchPaddedAsTfServingPadsThem() {
        final CompletableFuture<HttpResponse<String>> three = CompletableFuture.supplyAsync(
                () -> server.post("/v1/models/half_plus_two:predict", "{\"inputs\": {\"x\": [[1, 2, 3]]}}"));
        final CompletableFuture<HttpResponse<String>> one = CompletableFuture.supplyAsync(
                () -> server.post("/v1/models/half_plus_two:predict", "{\"inputs\": {\"x\": [[4]]}}"));
        assertThat(three.join().body()).isEqualTo("{\"outputs\":[[2.5,3.0,3.5]]}");
        assertThat(one.join().body()).isEqualTo("{\"outputs\":[[4.0,4.0,4.0]]}");
        assertThat(server.get("/metrics").body()).as("one batch of two rows").contains(
                "inference_batch_size_rows_max{model=\"half_plus_two\",signature=\"serving_default\",version=\"123\"} "
                        + "2.0");
    }
}
