package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.server.grpc.GrpcChannelArguments;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --grpc_channel_arguments} reaches the real gRPC server: grpc.max_receive_message_length, end to end. */
@Timeout(120)
class GrpcChannelArgumentsIT {
    @Test
    void aMessageOverTheArgumentsLimitShouldBeRefusedAndOneUnderItServed() throws Exception {
        final InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                // Below --grpc_max_inbound_message_bytes (256 MiB by default): the argument wins.
                .grpcChannelArguments(GrpcChannelArguments.parse(
                        "grpc.max_receive_message_length=1000,grpc.so_reuseport=1"))
                .build()).start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .usePlaintext().build();
        try {
            final PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertThat(stub.predict(HalfPlusTwoOverGrpc.predict(new float[4])).getOutputsOrThrow("y")
                    .getFloatValCount()).isEqualTo(4);
            assertThatThrownBy(() -> stub.predict(HalfPlusTwoOverGrpc.predict(new float[400])))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            assertThat(stub.predict(HalfPlusTwoOverGrpc.predict(new float[4])).getOutputsOrThrow("y")
                    .getFloatValCount()).as("the server keeps serving").isEqualTo(4);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }
}
