package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real server with batching on, Predict over gRPC from two connections at once (two event loops): calls share
 * batches, a batch's answers go to the event loops of their connections together, and each call gets its own rows.
 */
class GrpcBatchingIT {
    private static InferenceServer server;
    private static final List<ManagedChannel> CHANNELS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .eventLoopThreads(2)
                // Room for all 400 calls (at most 800 rows) at once: this test is about answers, not overload.
                .batching(new BatchingConfig(true, BatchingOptions.builder().maxBatchSize(16).numBatchThreads(2)
                        .maxEnqueuedBatches(64).build(), false))
                .build()).start();
        for (int i = 0; i < 2; i++) {
            CHANNELS.add(NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build());
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (ManagedChannel channel : CHANNELS) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        server.close();
    }

    @Test
    void shouldAnswerEveryConcurrentCallOnEitherConnectionWithItsOwnRows() throws Exception {
        final int calls = 400;
        final List<ListenableFuture<PredictResponse>> answers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            final float[] rows = new float[1 + i % 3];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = i * 3 + r;
            }
            answers.add(PredictionServiceGrpc.newFutureStub(CHANNELS.get(i % 2))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .predict(HalfPlusTwoOverGrpc.predict(rows)));
        }
        for (int i = 0; i < calls; i++) {
            final PredictResponse response = answers.get(i).get(30, TimeUnit.SECONDS);
            final List<Float> y = response.getOutputsOrThrow("y").getFloatValList();
            final int rows = 1 + i % 3;
            assertThat(y).as("call %d", i).hasSize(rows);
            for (int r = 0; r < rows; r++) {
                assertThat(y.get(r)).as("call %d row %d", i, r).isEqualTo(0.5f * (i * 3 + r) + 2);
            }
            assertThat(response.getModelSpec().getVersion().getValue()).isEqualTo(123);
        }
        final double rowsBatched = server.meterRegistry().get("inference.batch.size")
                .tag("model", HalfPlusTwoOverGrpc.MODEL).summary().totalAmount();
        assertThat(rowsBatched).isEqualTo(calls / 3 * 6 + 1); // every row went through the batcher exactly once
    }
}
