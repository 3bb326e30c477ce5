package io.ringserve.server.grpc;

import io.grpc.MethodDescriptor;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** gRPC methods with their messages as bytes, for tests that send what the generated stubs cannot. */
public final class RawGrpcMethods {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(final byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(final InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RawGrpcMethods() {
    }

    /** TF Serving's Predict, its request and answer as bytes. */
    public static MethodDescriptor<byte[], byte[]> predict() {
        return asBytes(PredictionServiceGrpc.getPredictMethod());
    }

    /** {@code method} with its request and answer as bytes. */
    public static MethodDescriptor<byte[], byte[]> asBytes(final MethodDescriptor<?, ?> method) {
        return method.toBuilder(BYTES, BYTES).build();
    }
}
