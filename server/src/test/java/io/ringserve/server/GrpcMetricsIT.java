package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.proto.inference.GRPCInferenceServiceGrpc;
import io.ringserve.proto.inference.InferTensorContents;
import io.ringserve.proto.inference.ModelInferRequest;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.server.grpc.LargeMessageOffload;
import io.ringserve.server.grpc.RawGrpcMethods;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** gRPC inference calls count in the autoscaling metrics as REST ones do, with protocol {@code grpc}. */
class GrpcMetricsIT {
    private static double metric(final String scrape, final String series) {
        return scrape.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElse(0);
    }

    @Test
    void shouldCountGrpcInferenceCallsByModelAndOutcome() throws Exception {
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config().build()).start()) {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext().build();
            try {
                final var predictions = PredictionServiceGrpc.newBlockingStub(channel);
                predictions.predict(HalfPlusTwoOverGrpc.predict(1f));
                assertThatThrownBy(() -> predictions.predict(HalfPlusTwoOverGrpc.predict(1f).toBuilder()
                        .setModelSpec(ModelSpec.newBuilder().setName("nope")).build()));
                // Past LargeMessageOffload's 256 KiB: parsed on a worker, and still counted under its model.
                final float[] many = new float[100_000];
                java.util.Arrays.fill(many, 3f);
                assertThat(HalfPlusTwoOverGrpc.predict(many).getSerializedSize())
                        .isGreaterThan(LargeMessageOffload.DEFAULT_OFFLOAD_BYTES);
                assertThat(predictions.predict(HalfPlusTwoOverGrpc.predict(many)).getOutputsOrThrow("y")
                        .getFloatValList()).hasSize(many.length).containsOnly(3.5f);
                // Bytes that are no PredictRequest, on the event loop and on a worker: each closes its call, counted.
                for (int size : new int[] {16, LargeMessageOffload.DEFAULT_OFFLOAD_BYTES}) {
                    final byte[] garbage = new byte[size];
                    java.util.Arrays.fill(garbage, (byte) 0xff);
                    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, RawGrpcMethods.predict(),
                            CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), garbage))
                            .hasMessageContaining("INTERNAL: Invalid protobuf byte sequence");
                }
                final var inference = GRPCInferenceServiceGrpc.newBlockingStub(channel);
                inference.modelInfer(ModelInferRequest.newBuilder()
                        .setModelName(HalfPlusTwoOverGrpc.MODEL).addInputs(ModelInferRequest.InferInputTensor
                                .newBuilder().setName("x").setDatatype("FP32").addShape(1).addShape(1)
                                .setContents(InferTensorContents.newBuilder().addFp32Contents(1f))).build());
                // KServe V2's ModelInfer past 256 KiB too: on a worker, answered and counted.
                final InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                for (float x : many) {
                    contents.addFp32Contents(x);
                }
                assertThat(inference.modelInfer(ModelInferRequest.newBuilder().setModelName(HalfPlusTwoOverGrpc.MODEL)
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
                                .addShape(many.length).addShape(1).setContents(contents)).build())
                        .getOutputs(0).getShapeList()).containsExactly((long) many.length, 1L);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            final String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.restPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metric(scrape, "inference_requests_total{model=\"half_plus_two\",protocol=\"grpc\","
                    + "status=\"ok\"}")).isEqualTo(4);
            assertThat(metric(scrape, "inference_requests_total{model=\"unknown\",protocol=\"grpc\","
                    + "status=\"client_error\"}")).isEqualTo(1);
            assertThat(metric(scrape, "inference_requests_total{model=\"unknown\",protocol=\"grpc\","
                    + "status=\"server_error\"}")).isEqualTo(2);
            assertThat(metric(scrape, "inference_requests_inflight")).isZero();
        }
    }
}
