package io.ringserve.server.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: TF Serving's PredictionService and ModelService, {@code grpc.health.v1.Health} and server
 * reflection (v1 and v1alpha). Takes its {@link ServerBuilder} from the caller, so production passes a port and
 * tests an in-process name. Health reports NOT_SERVING until {@link #setServing} says the models are ready.
 */
public final class GrpcServer implements AutoCloseable {
    /**
     * The health service names set with the server's state: the whole server, the fully-qualified services, and the
     * short names tensorflow_model_server reports.
     */
    static final List<String> HEALTH_NAMES = List.of("", "tensorflow.serving.PredictionService",
            "tensorflow.serving.ModelService", "PredictionService", "ModelService");

    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;

    @SuppressWarnings("deprecation") // ProtoReflectionService serves v1alpha, which older clients still speak.
    public GrpcServer(final ServerBuilder<?> builder, final ModelResolver resolver, final ModelRunner runner) {
        Objects.requireNonNull(builder, "builder");
        this.server = builder
                .addService(new PredictionGrpcService(resolver, runner, System::nanoTime))
                .addService(new ModelGrpcService(resolver))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(ProtoReflectionService.newInstance())
                .build();
        setServing(false);
    }

    /** Starts listening. */
    public GrpcServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gRPC server: " + e.getMessage(), e);
        }
        return this;
    }

    /** The port listened on, -1 for in-process servers. */
    public int port() {
        return server.getPort();
    }

    /** Reports SERVING (models ready) or NOT_SERVING (loading, or shutting down) to health checks. */
    public void setServing(final boolean serving) {
        final ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        HEALTH_NAMES.forEach(name -> health.setStatus(name, status));
    }

    /** Health turns NOT_SERVING for good and new calls are refused; calls already running go on. */
    public void stopAccepting() {
        health.enterTerminalState();
        server.shutdown();
    }

    /** Waits up to {@code grace} for running calls to finish, then cancels the rest. */
    public void awaitTermination(final Duration grace) throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            server.shutdownNow();
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
