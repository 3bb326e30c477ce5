package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.models.TestData;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.grpc.GrpcChannelArguments;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --grpc_channel_arguments} reaches the real gRPC server: grpc.max_receive_message_length, end to end. */
@Timeout(120)
class GrpcChannelArgumentsIT {
    @Test
    void aMessageOverTheArgumentsLimitShouldBeRefusedAndOneUnderItServed() throws Exception {
        final InferenceServer server = new InferenceServer(ServerConfig.builder().bindAddress("127.0.0.1")
                .restPort(0).grpcPort(RunningServer.freePort())
                // Below --grpc_max_inbound_message_bytes (256 MiB by default): the argument wins.
                .grpcChannelArguments(GrpcChannelArguments.parse(
                        "grpc.max_receive_message_length=1000,grpc.so_reuseport=1"))
                .models(List.of(new ModelConfig("half_plus_two",
                        TestData.tfServing("saved_model_half_plus_two_cpu"))))
                .build()).start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .usePlaintext().build();
        try {
            final PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertThat(stub.predict(halfPlusTwo(4)).getOutputsOrThrow("y").getFloatValCount()).isEqualTo(4);
            assertThatThrownBy(() -> stub.predict(halfPlusTwo(400)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            assertThat(stub.predict(halfPlusTwo(4)).getOutputsOrThrow("y").getFloatValCount())
                    .as("the server keeps serving").isEqualTo(4);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    private static PredictRequest halfPlusTwo(final int rows) {
        return PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("half_plus_two"))
                .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(rows))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .setTensorContent(ByteString.copyFrom(new byte[rows * 4])).build())
                .build();
    }
}
