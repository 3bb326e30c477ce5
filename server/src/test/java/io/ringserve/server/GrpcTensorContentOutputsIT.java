package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.server.grpc.PredictOutputEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --enable_serialization_as_tensor_content} on the real gRPC port: Predict's outputs as raw bytes. */
@Timeout(120)
class GrpcTensorContentOutputsIT {
    @Test
    void predictShouldAnswerWithTensorContent() throws Exception {
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .predictOutputEncoding(PredictOutputEncoding.TENSOR_CONTENT).build()).start()) {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext().build();
            try {
                final TensorProto y = PredictionServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .predict(HalfPlusTwoOverGrpc.predict(1f, 2f, 5f)).getOutputsOrThrow("y");
                assertThat(y.getFloatValCount()).isZero();
                assertThat(y.getTensorContent().toByteArray()).isEqualTo(ByteBuffer.allocate(12)
                        .order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).putFloat(3f).putFloat(4.5f).array());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
