package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gRPC generator against a fake PredictionService that fails every tenth call. */
@Timeout(60)
class ClosedLoopGrpcClientTest {
    @Test
    void shouldKeepCallsInFlightAndCountAnswersAndFailures() throws Exception {
        final AtomicLong calls = new AtomicLong();
        final Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new PredictionServiceGrpc.PredictionServiceImplBase() {
                    @Override
                    public void predict(final PredictRequest request, final StreamObserver<PredictResponse> out) {
                        if (calls.incrementAndGet() % 10 == 0) {
                            out.onError(Status.UNAVAILABLE.asRuntimeException());
                            return;
                        }
                        out.onNext(PredictResponse.getDefaultInstance());
                        out.onCompleted();
                    }
                }).build().start();
        try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient("127.0.0.1:" + server.getPort(),
                GrpcInferenceCall.predict(PredictRequest.getDefaultInstance()))) {
            final LoadResult result = client.run("fake", 8, Duration.ofMillis(300), Duration.ofSeconds(1), 1);
            assertThat(result.requests()).isPositive();
            assertThat(result.errors()).isPositive();
            assertThat(result.rejected()).as("UNAVAILABLE counts as rejected").isEqualTo(result.errors());
            // One call in ten fails: allow for the window cutting the sequence anywhere, however few calls it held.
            assertThat((double) result.errors()).isCloseTo((result.requests() + result.errors()) / 10.0,
                    within(3.0));
            assertThat(result.percentileMicros(50)).isPositive();
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void openLoopShouldKeepTheScheduleAndCountRejectionsByKind() throws Exception {
        final AtomicLong calls = new AtomicLong();
        final Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new PredictionServiceGrpc.PredictionServiceImplBase() {
                    @Override
                    public void predict(final PredictRequest request, final StreamObserver<PredictResponse> out) {
                        if (calls.incrementAndGet() % 4 == 0) {
                            out.onError(Status.UNAVAILABLE.asRuntimeException());
                            return;
                        }
                        out.onNext(PredictResponse.getDefaultInstance());
                        out.onCompleted();
                    }
                }).build().start();
        try (OpenLoopGrpcClient client = new OpenLoopGrpcClient("127.0.0.1:" + server.getPort(),
                GrpcInferenceCall.predict(PredictRequest.getDefaultInstance()), 64)) {
            final LoadResult result = client.run("open", Arrivals.constant(200), Duration.ofMillis(300),
                    Duration.ofSeconds(1), 1);
            // Wide bounds: a stalled client catches up on its schedule, which can move a send across the window.
            assertThat(result.sendRate()).isBetween(100.0, 300.0);
            assertThat(result.rejected()).isEqualTo(result.errors()).isPositive();
            assertThat((double) result.rejected()).isCloseTo((result.requests() + result.errors()) / 4.0,
                    within(3.0));
        } finally {
            server.shutdownNow();
        }
    }
}
