package io.ringserve.server.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.ringserve.server.inference.ExampleCounts;
import io.ringserve.server.inference.ModelRepositoryApi;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.RuntimeLatency;
import io.ringserve.server.inference.SignatureMethodCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gRPC server: TF Serving's PredictionService and ModelService, KServe V2's
 * {@code inference.GRPCInferenceService}, {@code grpc.health.v1.Health} and server reflection (v1 and v1alpha), on
 * one or more listeners (a TCP port, a UNIX domain socket) that share the services and the health state. Requests
 * may be compressed with {@code gzip} or {@code deflate} ({@link DeflateCodec}). Inference calls with large messages
 * are handled off the transport's threads ({@link LargeMessageOffload}).
 * Takes its {@link ServerBuilder}s from the caller, so production passes addresses and tests an in-process name.
 * Health reports NOT_SERVING until {@link #setServing} says the models are ready. Thread-safe.
 */
public final class GrpcServer implements AutoCloseable {
    /**
     * The health service names set with the server's state: the whole server, the fully-qualified services, and the
     * short names tensorflow_model_server reports.
     */
    static final List<String> HEALTH_NAMES = List.of("", "tensorflow.serving.PredictionService",
            "tensorflow.serving.ModelService", "PredictionService", "ModelService", "inference.GRPCInferenceService");

    /** The largest message a listener takes unless configured otherwise ({@code --grpc_max_inbound_message_bytes}). */
    public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 256 << 20;

    private final HealthStatusManager health = new HealthStatusManager();
    private final List<Server> servers;

    /** One listener; answers are sent on the thread that completes them (in-process transports, tests). */
    public GrpcServer(final ServerBuilder<?> builder, final ModelResolver resolver, final ModelRunner runner) {
        this(List.of(builder), resolver, runner, () -> Runnable::run, PredictOutputEncoding.TYPED_VALUES,
                SignatureMethodCheck.OFF, ConfigReload.UNSUPPORTED, RuntimeLatency.NONE, ExampleCounts.NONE,
                ModelRepositoryApi.DISABLED, DEFAULT_MAX_INBOUND_MESSAGE_BYTES, List.of(), LargeMessageOffload.NONE);
    }

    /**
     * One server per builder (one per listener), each with the same services.
     *
     * @param answerExecutor asked on a handler's thread, the executor a call's answer is sent on (see
     *     {@link PredictionGrpcService})
     * @param outputEncoding how Predict writes its outputs
     * @param methodCheck whether signatures' method names must match the call
     * @param configReload what ModelService/HandleReloadConfigRequest does
     * @param runtimeLatency told how long each answered Predict, Classify and Regress call waited for its model
     * @param exampleCounts told how many examples each Classify, Regress and MultiInference call fed its model
     * @param repository KServe V2's RepositoryModelLoad and RepositoryModelUnload
     * @param maxInboundMessageBytes the largest message each listener takes, which also bounds what TensorFlow's fill
     *     rule may add to a Predict input (see {@link PredictionGrpcService}); set on every builder
     * @param interceptors applied to every service's calls, in order, where the calls' messages are parsed (metrics
     *     that read the request, for example); a builder's own interceptors would see unparsed messages of the
     *     offloaded services
     * @param offload which inference calls (PredictionService, GRPCInferenceService) are handled off the event loop
     */
    @SuppressWarnings("deprecation") // ProtoReflectionService serves v1alpha, which older clients still speak.
    public GrpcServer(final List<? extends ServerBuilder<?>> builders, final ModelResolver resolver,
                      final ModelRunner runner, final Supplier<Executor> answerExecutor,
                      final PredictOutputEncoding outputEncoding, final SignatureMethodCheck methodCheck,
                      final ConfigReload configReload, final RuntimeLatency runtimeLatency,
                      final ExampleCounts exampleCounts, final ModelRepositoryApi repository, final int maxInboundMessageBytes,
                      final List<ServerInterceptor> interceptors, final LargeMessageOffload offload) {
        if (builders.isEmpty()) {
            throw new IllegalArgumentException("a gRPC server needs at least one listener");
        }
        final ServerServiceDefinition predictions = offload.applyTo(
                ServerInterceptors.intercept(new PredictionGrpcService(resolver, runner, System::nanoTime,
                        answerExecutor, outputEncoding, methodCheck, runtimeLatency, exampleCounts,
                        maxInboundMessageBytes),
                        interceptors));
        final ServerServiceDefinition inference = offload.applyTo(ServerInterceptors.intercept(
                new InferenceGrpcService(resolver.registry(), runner, answerExecutor, repository), interceptors));
        // Through the offload too, for its parsing: a message that is not protobuf gets INTERNAL naming why, where
        // grpc-java alone answers UNKNOWN and logs the parser's stack trace for every such call.
        final ServerServiceDefinition models = offload.applyTo(ServerInterceptors.intercept(
                new ModelGrpcService(resolver, configReload), interceptors));
        final ServerServiceDefinition healthChecks = offload.applyTo(ServerInterceptors.intercept(
                health.getHealthService(), interceptors));
        this.servers = builders.stream()
                .map(builder -> builder
                        .maxInboundMessageSize(maxInboundMessageBytes)
                        // gzip and deflate requests, as TF Serving's C++ server takes them; answers go uncompressed.
                        .decompressorRegistry(CompressedMessages.registry(maxInboundMessageBytes))
                        .addService(predictions)
                        .addService(models)
                        .addService(inference)
                        .addService(healthChecks)
                        // Reflection answers from the server it is bound to: an instance per listener.
                        .addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), interceptors))
                        .addService(ServerInterceptors.intercept(ProtoReflectionService.newInstance(), interceptors))
                        .build())
                .toList();
        setServing(false);
    }

    /** Starts listening on every listener; if one cannot bind, stops the others and throws. */
    public GrpcServer start() {
        try {
            for (Server server : servers) {
                server.start();
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the gRPC server: " + e.getMessage(), e);
        }
        return this;
    }

    /** The port of the first listener; -1 for in-process servers and sockets. */
    public int port() {
        return servers.get(0).getPort();
    }

    /** Reports SERVING (models ready) or NOT_SERVING (loading, or shutting down) to health checks. */
    public void setServing(final boolean serving) {
        final ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        HEALTH_NAMES.forEach(name -> health.setStatus(name, status));
    }

    /** Health turns NOT_SERVING for good and new calls are refused; calls already running go on. */
    public void stopAccepting() {
        health.enterTerminalState();
        servers.forEach(Server::shutdown);
    }

    /** Waits up to {@code grace} in all for running calls to finish, then cancels the rest. */
    public void awaitTermination(final Duration grace) throws InterruptedException {
        final long deadline = System.nanoTime() + grace.toNanos();
        for (Server server : servers) {
            server.shutdown();
            if (!server.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                server.shutdownNow();
            }
        }
    }

    @Override
    public void close() {
        servers.forEach(Server::shutdownNow);
    }
}
