package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.proto.serving.ModelServiceGrpc;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.grpc.RawGrpcMethods;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gRPC on a real port: health answers SERVING once models are ready, reflection lists the services, and a call
 * whose deadline passes while its batch waits is dropped, never computed.
 */
@Timeout(120)
class GrpcIT {
    private static InferenceServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        // A timeout batch that never fills: a call waits in the queue until its deadline.
        server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .batching(new BatchingConfig(true, BatchingOptions.builder().maxBatchSize(64).numBatchThreads(1)
                        .closePolicy(ClosePolicy.TIMEOUT).batchTimeout(Duration.ofSeconds(5)).build(), false))
                .build()).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void healthShouldReportServingForTheServerAndItsServices() {
        final HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        for (String service : List.of("", "tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
                "PredictionService", "ModelService", "inference.GRPCInferenceService")) {
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                    .as(service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
        assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder().setService("nope").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void bytesThatAreNoProtobufShouldBeInternalNamingWhyOnEveryUnaryService() {
        final byte[] garbage = new byte[16];
        java.util.Arrays.fill(garbage, (byte) 0xff);
        for (MethodDescriptor<?, ?> method : List.of(HealthGrpc.getCheckMethod(),
                ModelServiceGrpc.getGetModelStatusMethod(), ModelServiceGrpc.getHandleReloadConfigRequestMethod())) {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, RawGrpcMethods.asBytes(method),
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), garbage))
                    .as(method.getFullMethodName())
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                        assertThat(e.getStatus().getDescription()).startsWith("Invalid protobuf byte sequence");
                    });
        }
    }

    @Test
    void reflectionShouldListTheServices() throws Exception {
        final CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        final StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(final ServerReflectionResponse response) {
                        answer.complete(response);
                    }

                    @Override
                    public void onError(final Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertThat(answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
                .extracting(ServiceResponse::getName)
                .contains("tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
                        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                        "grpc.reflection.v1alpha.ServerReflection", "inference.GRPCInferenceService");
    }

    @Test
    void aCallWhoseDeadlinePassesInTheQueueShouldBeDroppedUncomputed() throws Exception {
        final PredictRequest request = PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("half_plus_two"))
                .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .addFloatVal(1f).build())
                .build();
        // Connected first, so that the deadline is spent in the batch queue, not on the connection.
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThatThrownBy(() -> PredictionServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(1, TimeUnit.SECONDS).predict(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        // The batch closes at its 5 s timeout; the expired call is then dropped, not run.
        double expired = 0;
        for (int i = 0; i < 1200 && expired < 1; i++) {
            expired = server.meterRegistry().get("inference.deadline.expired").counter().count();
            Thread.sleep(25);
        }
        assertThat(expired).isEqualTo(1);
        assertThat(server.meterRegistry().find("inference.requests").tag("protocol", "grpc")
                .tag("status", "timeout").counter()).as("counted as the deadline it was, not a client's cancel")
                .satisfies(counter -> assertThat(counter.count()).isEqualTo(1));
        assertThat(server.meterRegistry().find("inference.batches").counter()).satisfiesAnyOf(
                c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
    }
}
