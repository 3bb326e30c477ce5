package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.proto.serving.ExampleList;
import io.ringserve.proto.serving.InferenceTask;
import io.ringserve.proto.serving.Input;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.MultiInferenceRequest;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.tensorflow.Example;
import io.ringserve.proto.tensorflow.Feature;
import io.ringserve.proto.tensorflow.Features;
import io.ringserve.proto.tensorflow.FloatList;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With TF Serving's monitoring config (and batching), its monitoring path serves TF Serving's own metric families as well, fed by
 * REST and gRPC requests and by model loads; {@code /metrics} stays Micrometer's alone.
 */
class TfServingMetricsIT {
    private static final String MONITORING_PATH = "/monitoring/prometheus/metrics";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private String get(final InferenceServer server, final String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.restPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private int post(final InferenceServer server, final String path, final String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.restPort() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static String line(final String exposition, final String series) {
        return exposition.lines().filter(line -> line.startsWith(series + " ")).findFirst().orElse("");
    }

    @Test
    void restAndGrpcRequestsAndLoadsShouldCountInTfServingsFamilies() throws Exception {
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .batching(new BatchingConfig(true, BatchingOptions.builder().maxBatchSize(8).build(), false))
                .monitoringPath(MONITORING_PATH).build()).start()) {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext().build();
            try {
                final var predictions = PredictionServiceGrpc.newBlockingStub(channel);
                predictions.predict(HalfPlusTwoOverGrpc.predict(1f, 2f));
                assertThatThrownBy(() -> predictions.predict(HalfPlusTwoOverGrpc.predict(1f).toBuilder()
                        .clearInputs().build()));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertThat(post(server, "/v1/models/half_plus_two:predict", "{\"instances\": [1.0]}")).isEqualTo(200);
            assertThat(post(server, "/v1/models/half_plus_two:predict", "{\"instances\": \"x\"}")).isEqualTo(400);
            // A REST request counts once its answer is written, which may be just after the client has it.
            String exposition = get(server, MONITORING_PATH);
            for (int i = 0; i < 400 && !line(exposition, ":tensorflow:serving:request_count{model_name="
                    + "\"half_plus_two\",status=\"INVALID_ARGUMENT\"}").endsWith(" 2"); i++) {
                Thread.sleep(25);
                exposition = get(server, MONITORING_PATH);
            }
            assertThat(line(exposition, ":tensorflow:serving:request_count{model_name=\"half_plus_two\","
                    + "status=\"OK\"}")).endsWith(" 2");
            assertThat(line(exposition, ":tensorflow:serving:request_count{model_name=\"half_plus_two\","
                    + "status=\"INVALID_ARGUMENT\"}")).endsWith(" 2");
            assertThat(line(exposition, ":tensorflow:serving:request_latency_count{model_name=\"half_plus_two\","
                    + "API=\"Predict\",entrypoint=\"GRPC\"}")).endsWith(" 1");
            assertThat(line(exposition, ":tensorflow:serving:request_latency_count{model_name=\"half_plus_two\","
                    + "API=\"predict\",entrypoint=\"REST\"}")).endsWith(" 1");
            assertThat(line(exposition, ":tensorflow:serving:runtime_latency_count{model_name=\"half_plus_two\","
                    + "API=\"Predict\",runtime=\"TF1\"}")).endsWith(" 2");
            assertThat(line(exposition, ":tensorflow:serving:batching_session:queuing_latency_count{"
                    + "thread_pool_name=\"\"}")).as("both answered requests were batched").endsWith(" 2");
            assertThat(line(exposition, ":tensorflow:serving:batching_session:wrapped_run_count{}"))
                    .as("one after the other: two batches").endsWith(" 2");
            assertThat(exposition).containsPattern(":tensorflow:cc:saved_model:load_attempt_count\\{model_path=\""
                    + "[^\"]*saved_model_half_plus_two_cpu/00000123\",status=\"success\"} 1\n")
                    .as("Micrometer's families are there too").contains("inference_requests_total{");
            assertThat(get(server, "/metrics")).doesNotContain(":tensorflow:");
        }
    }

    @Test
    void classifyRegressAndMultiInferenceShouldCountTheirExamplesOncePerRequest() throws Exception {
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .monitoringPath(MONITORING_PATH).build()).start()) {
            assertThat(post(server, "/v1/models/half_plus_two:classify", "{\"signature_name\": \"classify_x_to_y\","
                    + " \"examples\": [{\"x\": 1.0}, {\"x\": 2.0}]}")).isEqualTo(200);
            assertThat(post(server, "/v1/models/half_plus_two:regress", "{\"signature_name\": \"regress_x_to_y\","
                    + " \"examples\": []}")).as("no examples: refused, not counted").isEqualTo(400);
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext().build();
            try {
                final ExampleList.Builder examples = ExampleList.newBuilder();
                for (float x : new float[] {1f, 2f, 3f}) {
                    examples.addExamples(Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x",
                            Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(x)).build())));
                }
                // Two tasks on three examples: TF Serving counts the request's three examples once.
                PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .multiInference(MultiInferenceRequest.newBuilder()
                                .setInput(Input.newBuilder().setExampleList(examples))
                                .addTasks(task("classify_x_to_y", "tensorflow/serving/classify"))
                                .addTasks(task("regress_x_to_y", "tensorflow/serving/regress")).build());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            final String exposition = get(server, MONITORING_PATH);
            assertThat(line(exposition, ":tensorflow:serving:request_example_count_total{model=\"half_plus_two\"}"))
                    .endsWith(" 5");
            assertThat(line(exposition, ":tensorflow:serving:request_example_counts_count{model=\"half_plus_two\"}"))
                    .endsWith(" 2");
            assertThat(line(exposition, ":tensorflow:serving:request_example_counts_bucket{model=\"half_plus_two\","
                    + "le=\"4\"}")).as("2 and 3 examples, both below 4").endsWith(" 2");
        }
    }

    private static InferenceTask task(final String signature, final String method) {
        return InferenceTask.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("half_plus_two")
                .setSignatureName(signature)).setMethodName(method).build();
    }
}
