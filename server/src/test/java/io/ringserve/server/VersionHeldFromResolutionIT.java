package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.proto.inference.GRPCInferenceServiceGrpc;
import io.ringserve.proto.inference.InferTensorContents;
import io.ringserve.proto.inference.ModelInferRequest;
import io.ringserve.proto.serving.ClassificationRequest;
import io.ringserve.proto.serving.ExampleList;
import io.ringserve.proto.serving.InferenceTask;
import io.ringserve.proto.serving.Input;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.MultiInferenceRequest;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.serving.RegressionRequest;
import io.ringserve.proto.tensorflow.Example;
import io.ringserve.proto.tensorflow.Feature;
import io.ringserve.proto.tensorflow.Features;
import io.ringserve.proto.tensorflow.FloatList;
import io.ringserve.server.inference.ModelRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request holds its model version from the moment it resolves it, not only once it reaches the runner: a reload
 * meanwhile (a new version found, the old one retired) cannot close the version under a request still decoding a
 * large body. Each front end's inference path is checked by what it hands the runner: a version already held.
 */
@Timeout(120)
class VersionHeldFromResolutionIT {
    private static final String MODEL = HalfPlusTwoOverGrpc.MODEL;
    private static final Queue<String> SEEN = new ConcurrentLinkedQueue<>();
    private static InferenceServer server;
    private static ManagedChannel channel;
    private static HttpClient http;

    @BeforeAll
    static void start() throws InterruptedException {
        server = new InferenceServer(HalfPlusTwoOverGrpc.config().build(), HoldingCheck::new).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    @BeforeEach
    void forget() {
        SEEN.clear();
    }

    @Test
    void restPredictClassifyRegressAndV2InferShouldHandTheRunnerAHeldVersion() throws Exception {
        assertThat(post("/v1/models/" + MODEL + ":predict", "{\"instances\": [1.0, 2.0]}")).contains("2.5");
        assertThat(post("/v1/models/" + MODEL + ":classify",
                "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 1.0}]}")).contains("2.5");
        assertThat(post("/v1/models/" + MODEL + ":regress",
                "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 1.0}]}")).contains("2.5");
        assertThat(post("/v2/models/" + MODEL + "/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1],"
                + " \"datatype\": \"FP32\", \"data\": [1.0]}]}")).contains("2.5");
        assertThat(SEEN).hasSize(4).allMatch(seen -> seen.startsWith("held"));
    }

    @Test
    void grpcPredictClassifyRegressMultiInferenceAndModelInferShouldHandTheRunnerAHeldVersion() {
        final PredictionServiceGrpc.PredictionServiceBlockingStub tfServing = PredictionServiceGrpc
                .newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        assertThat(tfServing.predict(HalfPlusTwoOverGrpc.predict(1f)).getOutputsMap()).containsKey("y");
        tfServing.classify(ClassificationRequest.newBuilder().setModelSpec(spec("classify_x_to_y"))
                .setInput(examples()).build());
        tfServing.regress(RegressionRequest.newBuilder().setModelSpec(spec("regress_x_to_y"))
                .setInput(examples()).build());
        tfServing.multiInference(MultiInferenceRequest.newBuilder().setInput(examples())
                .addTasks(InferenceTask.newBuilder().setModelSpec(spec("classify_x_to_y"))
                        .setMethodName("tensorflow/serving/classify"))
                .addTasks(InferenceTask.newBuilder().setModelSpec(spec("regress_x_to_y"))
                        .setMethodName("tensorflow/serving/regress")).build());
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL)
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
                                .addShape(1).addShape(1)
                                .setContents(InferTensorContents.newBuilder().addFp32Contents(1f))).build());
        // Predict, Classify, Regress, one call for MultiInference's two tasks, ModelInfer.
        assertThat(SEEN).hasSize(5).allMatch(seen -> seen.startsWith("held"));
    }

    @Test
    void aVersionShouldBeGivenBackOnceEachRequestIsAnsweredOrRefused() throws Exception {
        post("/v1/models/" + MODEL + ":predict", "{\"instances\": [1.0]}");
        post("/v1/models/" + MODEL + ":predict", "{\"instances\": [\"not a number\"]}"); // refused after resolving
        final LoadedModel version = server.registry().get(MODEL).orElseThrow().latest().orElseThrow();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (version.users() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5); // the lease ends as the answer completes, on another thread
        }
        assertThat(version.users()).isZero();
    }

    private static String post(final String path, final String body) throws Exception {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.restPort() + path))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static ModelSpec spec(final String signature) {
        return ModelSpec.newBuilder().setName(MODEL).setSignatureName(signature).build();
    }

    private static Input examples() {
        return Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(Example.newBuilder()
                .setFeatures(Features.newBuilder().putFeature("x", Feature.newBuilder()
                        .setFloatList(FloatList.newBuilder().addValue(1f)).build())))).build();
    }

    /** Notes whether the version a front end hands over is held (by the request's lease) before the run. */
    private record HoldingCheck(ModelRunner runner) implements ModelRunner {
        @Override
        public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel model, final SignatureSpec signature,
                                                              final Map<String, HostTensor> inputs,
                                                              final List<String> outputs, final long deadlineNanos) {
            SEEN.add((model.users() > 0 ? "held " : "not held ") + model + " " + signature.key());
            return runner.run(model, signature, inputs, outputs, deadlineNanos);
        }

        @Override
        public CompletableFuture<Map<String, HostTensor>> runAlone(final LoadedModel model,
                                                                   final SignatureSpec signature,
                                                                   final Map<String, HostTensor> inputs,
                                                                   final List<String> outputs,
                                                                   final long deadlineNanos) {
            SEEN.add((model.users() > 0 ? "held " : "not held ") + model + " " + signature.key());
            return runner.runAlone(model, signature, inputs, outputs, deadlineNanos);
        }

        @Override
        public boolean shutdown(final Duration drain) throws InterruptedException {
            return runner.shutdown(drain);
        }

        @Override
        public void retire(final LoadedModel model) {
            runner.retire(model);
        }
    }
}
