package io.ringserve.server;

import com.google.protobuf.ByteString;
import io.ringserve.models.TestData;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** TF Serving's {@code half_plus_two} test model behind a real gRPC port, as the gRPC integration tests use it. */
final class HalfPlusTwoOverGrpc {
    static final String MODEL = "half_plus_two";

    private HalfPlusTwoOverGrpc() {
    }

    /** Loopback, free REST and gRPC ports the system picks, and the model; add what a test needs. */
    static ServerConfig.Builder config() {
        return ServerConfig.builder().bindAddress("127.0.0.1").restPort(ServerConfig.ANY_FREE_PORT)
                .grpcPort(ServerConfig.ANY_FREE_PORT)
                .models(List.of(new ModelConfig(MODEL, TestData.tfServing("saved_model_half_plus_two_cpu"))));
    }

    /** A Predict of {@code x} = one row per value, shape {@code [n, 1]}, as {@code tensor_content}. */
    static PredictRequest predict(final float... x) {
        final ByteBuffer raw = ByteBuffer.allocate(x.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : x) {
            raw.putFloat(value);
        }
        return PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(x.length))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .setTensorContent(ByteString.copyFrom(raw.array())).build())
                .build();
    }
}
