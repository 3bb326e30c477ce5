package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.models.TestData;
import io.ringserve.server.InferenceServer;
import io.ringserve.server.ModelConfig;
import io.ringserve.server.ServerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load generators' requests, built from the real server's metadata, against the real server on TF Serving's
 * half_plus_two: every protocol and transport gets answers, and none is an error (a request the server refused
 * would count as one).
 */
class LoadGeneratorsIT {
    private static final String MODEL = "half_plus_two";
    private static final Duration WARMUP = Duration.ofMillis(200);
    private static final Duration MEASURED = Duration.ofMillis(800);
    private static InferenceServer server;
    private static URI rest;
    private static String grpc;

    @BeforeAll
    static void start() throws Exception {
        server = new InferenceServer(ServerConfig.builder()
                .models(List.of(new ModelConfig(MODEL, TestData.tfServing("saved_model_half_plus_two_cpu"))))
                .restPort(ServerConfig.ANY_FREE_PORT).grpcPort(ServerConfig.ANY_FREE_PORT).bindAddress("127.0.0.1")
                .build()).start();
        rest = URI.create("http://127.0.0.1:" + server.restPort());
        grpc = "127.0.0.1:" + server.grpcPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void tfServingRequestsShouldBeAnsweredOverRestAndGrpc() throws Exception {
        final RequestFactory requests = new RequestFactory(MODEL, "serving_default",
                RequestFactory.fromMetadata(rest, MODEL, "serving_default"), 1);
        try (ClosedLoopRestClient client = new ClosedLoopRestClient(
                rest.resolve("/v1/models/" + MODEL + ":predict"), requests.restBody(2))) {
            assertAllAnswered(client.run("rest", 4, WARMUP, MEASURED, 2));
        }
        try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient(grpc,
                GrpcInferenceCall.predict(requests.grpcRequest(2)))) {
            assertAllAnswered(client.run("grpc", 4, WARMUP, MEASURED, 2));
        }
    }

    @Test
    void kserveV2RequestsShouldBeAnsweredOverRestAndGrpc() throws Exception {
        final List<InputSpec> inputs = RequestFactory.fromV2Metadata(rest, MODEL);
        assertThat(inputs).containsExactly(new InputSpec("x", "DT_FLOAT", List.of(-1L, 1L)));
        final RequestFactory requests = new RequestFactory(MODEL, "serving_default", inputs, 1);
        try (ClosedLoopRestClient client = new ClosedLoopRestClient(
                rest.resolve("/v2/models/" + MODEL + "/infer"), requests.v2RestBody(2))) {
            assertAllAnswered(client.run("rest v2", 4, WARMUP, MEASURED, 2));
        }
        try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient(grpc,
                GrpcInferenceCall.modelInfer(requests.v2GrpcRequest(2)))) {
            assertAllAnswered(client.run("grpc v2", 4, WARMUP, MEASURED, 2));
        }
    }

    private static void assertAllAnswered(final LoadResult result) {
        assertThat(result.requests()).as(result.label()).isPositive();
        assertThat(result.errors()).as(result.label() + ": requests the server refused").isZero();
    }
}
