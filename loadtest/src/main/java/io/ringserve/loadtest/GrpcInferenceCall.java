package io.ringserve.loadtest;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.ringserve.proto.inference.GRPCInferenceServiceGrpc;
import io.ringserve.proto.inference.ModelInferRequest;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import java.util.Objects;

/**
 * The one unary call a gRPC load generator repeats: its method, its request and how the request is compressed.
 * Immutable and thread-safe; each {@link #send} is a new call.
 *
 * @param method the gRPC method, e.g. TF Serving's {@code PredictionService/Predict}
 * @param request the request sent every time
 * @param compression the message encoding requests are sent with ({@code gzip}, {@code deflate}; the channel must
 *     know it, as {@link LoadChannels}' do), or null to send them uncompressed
 * @param <Q> the request type
 * @param <R> the response type
 */
public record GrpcInferenceCall<Q, R>(MethodDescriptor<Q, R> method, Q request, String compression) {
    public GrpcInferenceCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(request, "request");
    }

    /** Sent uncompressed. */
    public GrpcInferenceCall(final MethodDescriptor<Q, R> method, final Q request) {
        this(method, request, null);
    }

    /** The same call with its requests compressed with {@code encoding}, or uncompressed when it is null. */
    public GrpcInferenceCall<Q, R> compressedWith(final String encoding) {
        return new GrpcInferenceCall<>(method, request, encoding);
    }

    /** TF Serving's {@code tensorflow.serving.PredictionService/Predict}. */
    public static GrpcInferenceCall<?, ?> predict(final PredictRequest request) {
        return new GrpcInferenceCall<>(PredictionServiceGrpc.getPredictMethod(), request);
    }

    /** KServe V2's {@code inference.GRPCInferenceService/ModelInfer}. */
    public static GrpcInferenceCall<?, ?> modelInfer(final ModelInferRequest request) {
        return new GrpcInferenceCall<>(GRPCInferenceServiceGrpc.getModelInferMethod(), request);
    }

    /** Starts the call on {@code channel}; the future holds its answer or its failure status. Never blocks. */
    public ListenableFuture<R> send(final Channel channel) {
        return ClientCalls.futureUnaryCall(channel.newCall(method, compression == null ? CallOptions.DEFAULT
                : CallOptions.DEFAULT.withCompression(compression)), request);
    }
}
