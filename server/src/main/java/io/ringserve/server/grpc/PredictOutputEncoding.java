package io.ringserve.server.grpc;

import io.ringserve.models.HostTensor;
import io.ringserve.proto.tensorflow.TensorProto;
import java.util.function.Function;

/** How Predict writes its output tensors, as TF Serving's {@code --enable_serialization_as_tensor_content} chooses. */
public enum PredictOutputEncoding {
    /** TF Serving's default: typed {@code *_val} fields. */
    TYPED_VALUES(TensorProtoCodec::toProto),
    /** Raw little-endian bytes in {@code tensor_content} (strings stay {@code string_val}): smaller and faster. */
    TENSOR_CONTENT(TensorProtoCodec::toProtoAsTensorContent);

    private final Function<HostTensor, TensorProto> encoder;

    PredictOutputEncoding(final Function<HostTensor, TensorProto> encoder) {
        this.encoder = encoder;
    }

    /** {@code tensor} as a {@code TensorProto} in this encoding. */
    public TensorProto encode(final HostTensor tensor) {
        return encoder.apply(tensor);
    }
}
