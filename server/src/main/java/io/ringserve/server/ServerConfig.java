package io.ringserve.server;

import io.ringserve.models.SessionOptions;
import io.ringserve.server.config.SslConfig;
import io.ringserve.server.grpc.GrpcChannelArguments;
import io.ringserve.server.grpc.GrpcServer;
import io.ringserve.server.grpc.PredictOutputEncoding;
import io.ringserve.server.inference.SignatureMethodCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an {@link InferenceServer} needs to start; immutable. Built by the command line, or directly by tests
 * and embedders through {@link #builder()}.
 */
public record ServerConfig(
        String bindAddress,
        int grpcPort,
        int restPort,
        List<ModelConfig> models,
        long restApiTimeoutMillis,
        Duration restIdleTimeout,
        int maxRequestBytes,
        int inferenceThreads,
        int maxQueuedRequests,
        int eventLoopThreads,
        SessionOptions sessionOptions,
        long drainTimeoutMillis,
        BatchingConfig batching,
        int metricsPort,
        String monitoringPath,
        int grpcMaxInboundMessageBytes,
        String grpcSocketPath,
        GrpcChannelArguments grpcChannelArguments,
        Optional<SslConfig> grpcTls,
        PredictOutputEncoding predictOutputEncoding,
        boolean restCors,
        SignatureMethodCheck signatureMethodCheck,
        boolean modelWarmup,
        int modelWarmupIterations,
        boolean syntheticWarmup,
        int maxLoadRetries,
        Duration loadRetryInterval,
        int fileSystemPollWaitSeconds,
        Optional<Path> modelConfigFile,
        int modelConfigFilePollWaitSeconds,
        Optional<Path> modelRepositoryApi) {

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(restIdleTimeout, "restIdleTimeout");
        Objects.requireNonNull(modelRepositoryApi, "modelRepositoryApi");
        if (restIdleTimeout.isNegative()) {
            throw new IllegalArgumentException("--rest_api_idle_timeout_seconds must be >= 0, got "
                    + restIdleTimeout.toSeconds());
        }
        models = List.copyOf(models);
        Objects.requireNonNull(sessionOptions, "sessionOptions");
        Objects.requireNonNull(batching, "batching");
        Objects.requireNonNull(monitoringPath, "monitoringPath");
        Objects.requireNonNull(grpcSocketPath, "grpcSocketPath");
        Objects.requireNonNull(grpcChannelArguments, "grpcChannelArguments");
        Objects.requireNonNull(grpcTls, "grpcTls");
        Objects.requireNonNull(predictOutputEncoding, "predictOutputEncoding");
        Objects.requireNonNull(signatureMethodCheck, "signatureMethodCheck");
        requireRange("metrics_port", metricsPort, -1, 65535);
        requireRange("grpc_max_inbound_message_bytes", grpcMaxInboundMessageBytes, 1, Integer.MAX_VALUE);
        if (!monitoringPath.isEmpty() && !monitoringPath.startsWith("/")) {
            throw new IllegalArgumentException("the monitoring path must start with '/': " + monitoringPath);
        }
        requireRange("rest_api_port", restPort, ANY_FREE_PORT, 65535);
        requireRange("port", grpcPort, ANY_FREE_PORT, 65535);
        requireOwnPort("--rest_api_port", restPort, "--port", grpcPort);
        requireOwnPort("--metrics_port", metricsPort, "--rest_api_port", restPort);
        requireOwnPort("--metrics_port", metricsPort, "--port", grpcPort);
        requireRange("rest_api_timeout_in_ms", restApiTimeoutMillis, 1, Long.MAX_VALUE);
        requireRange("max_request_bytes", maxRequestBytes, 1, Integer.MAX_VALUE);
        requireRange("inference_threads", inferenceThreads, 1, 4096);
        requireRange("num_request_iterations_for_warmup", modelWarmupIterations, 1, 1_000_000);
        requireRange("max_num_load_retries", maxLoadRetries, 0, Integer.MAX_VALUE);
        Objects.requireNonNull(loadRetryInterval, "loadRetryInterval");
        if (loadRetryInterval.isNegative()) {
            throw new IllegalArgumentException("--load_retry_interval_micros must be >= 0, got "
                    + loadRetryInterval.toNanos() / 1000);
        }
        requireRange("file_system_poll_wait_seconds", fileSystemPollWaitSeconds, 0, 86400);
        requireRange("model_config_file_poll_wait_seconds", modelConfigFilePollWaitSeconds, 0, 86400);
        requireRange("max_queued_requests", maxQueuedRequests, 1, Integer.MAX_VALUE);
        requireRange("rest_api_num_threads", eventLoopThreads, 0, 4096);
        requireRange("drain_timeout_ms", drainTimeoutMillis, 0, Long.MAX_VALUE);
        if (models.stream().map(ModelConfig::name).distinct().count() != models.size()) {
            throw new IllegalArgumentException("a model name is configured twice: " + models);
        }
    }

    /**
     * The largest gRPC message the server takes: {@code grpc.max_receive_message_length} from
     * {@code --grpc_channel_arguments} when given, else {@code --grpc_max_inbound_message_bytes}.
     */
    public int grpcMaxInboundMessageBytesInEffect() {
        final Long argument = grpcChannelArguments.settings()
                .get(GrpcChannelArguments.Setting.MAX_RECEIVE_MESSAGE_LENGTH);
        return argument == null ? grpcMaxInboundMessageBytes : (int) Math.min(argument, Integer.MAX_VALUE);
    }

    /** Two listeners cannot share a port; 0 (a free port, or off) and -1 (off) clash with nothing. */
    private static void requireOwnPort(final String flag, final int port, final String otherFlag, final int other) {
        if (port > 0 && port == other) {
            throw new IllegalArgumentException(flag + " and " + otherFlag + " are both " + port
                    + ": each listener needs a port of its own");
        }
    }

    private static void requireRange(final String flag, final long value, final long min, final long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("--" + flag + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@link #grpcPort} or {@link #restPort} value that binds the listener to a port the operating system picks
     * ({@code --port=-1}, {@code --rest_api_port=-1}); {@link InferenceServer#grpcPort()} and
     * {@link InferenceServer#restPort()} tell which once started. {@code 0} keeps TF Serving's meaning: no such port.
     */
    public static final int ANY_FREE_PORT = -1;

    /** Builds a {@link ServerConfig}; defaults are TF Serving's where it has one. */
    public static final class Builder {
        private String bindAddress = "0.0.0.0";
        private int grpcPort = 8500;
        private int restPort = 8501;
        private List<ModelConfig> models = List.of();
        private long restApiTimeoutMillis = 30_000;
        private Duration restIdleTimeout = Duration.ofHours(1);
        private int maxRequestBytes = 64 << 20;
        private int inferenceThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int maxQueuedRequests = 4096;
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private SessionOptions sessionOptions = SessionOptions.DEFAULTS;
        private long drainTimeoutMillis = 25_000;
        private BatchingConfig batching = BatchingConfig.DISABLED;
        private int metricsPort = -1;
        private String monitoringPath = "";
        private int grpcMaxInboundMessageBytes = GrpcServer.DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
        private String grpcSocketPath = "";
        private GrpcChannelArguments grpcChannelArguments = GrpcChannelArguments.NONE;
        private Optional<SslConfig> grpcTls = Optional.empty();
        private PredictOutputEncoding predictOutputEncoding = PredictOutputEncoding.TYPED_VALUES;
        private boolean restCors;
        private boolean modelWarmup = true;
        private int modelWarmupIterations = 1;
        private boolean syntheticWarmup = true;
        private int maxLoadRetries = 5;
        private Duration loadRetryInterval = Duration.ofMinutes(1);
        private int fileSystemPollWaitSeconds;
        private Optional<Path> modelConfigFile = Optional.empty();
        private int modelConfigFilePollWaitSeconds;
        private SignatureMethodCheck signatureMethodCheck = SignatureMethodCheck.OFF;
        private Optional<Path> modelRepositoryApi = Optional.empty();

        private Builder() {
        }

        public Builder bindAddress(final String value) {
            this.bindAddress = value;
            return this;
        }

        public Builder grpcPort(final int value) {
            this.grpcPort = value;
            return this;
        }

        public Builder restPort(final int value) {
            this.restPort = value;
            return this;
        }

        public Builder models(final List<ModelConfig> value) {
            this.models = value;
            return this;
        }

        public Builder restApiTimeoutMillis(final long value) {
            this.restApiTimeoutMillis = value;
            return this;
        }

        public Builder maxRequestBytes(final int value) {
            this.maxRequestBytes = value;
            return this;
        }

        public Builder inferenceThreads(final int value) {
            this.inferenceThreads = value;
            return this;
        }

        public Builder maxQueuedRequests(final int value) {
            this.maxQueuedRequests = value;
            return this;
        }

        /** REST event-loop threads; the CPU count by default, 0 lets Netty choose (twice the cores). */
        public Builder eventLoopThreads(final int value) {
            this.eventLoopThreads = value;
            return this;
        }

        public Builder sessionOptions(final SessionOptions value) {
            this.sessionOptions = value;
            return this;
        }

        public Builder drainTimeoutMillis(final long value) {
            this.drainTimeoutMillis = value;
            return this;
        }

        public Builder batching(final BatchingConfig value) {
            this.batching = value;
            return this;
        }

        /** A separate port serving only {@code /metrics}; -1 (the default) for none, 0 for a free one. */
        public Builder metricsPort(final int value) {
            this.metricsPort = value;
            return this;
        }

        /** TF Serving's Prometheus path ({@code --monitoring_config_file}) on the REST port; empty for none. */
        public Builder monitoringPath(final String value) {
            this.monitoringPath = value;
            return this;
        }

        /** The largest gRPC message accepted (grpc-java's own default is 4 MiB). */
        public Builder grpcMaxInboundMessageBytes(final int value) {
            this.grpcMaxInboundMessageBytes = value;
            return this;
        }

        /** A UNIX domain socket gRPC also listens on ({@code --grpc_socket_path}); empty (the default) for none. */
        public Builder grpcSocketPath(final String value) {
            this.grpcSocketPath = value;
            return this;
        }

        /**
         * How gRPC Predict writes outputs ({@code --enable_serialization_as_tensor_content}); typed values by
         * default, as TF Serving.
         */
        public Builder predictOutputEncoding(final PredictOutputEncoding value) {
            this.predictOutputEncoding = value;
            return this;
        }

        /** Whether signatures' method names must match the call ({@code --enable_signature_method_name_check}). */
        public Builder signatureMethodCheck(final SignatureMethodCheck value) {
            this.signatureMethodCheck = value;
            return this;
        }

        /**
         * Whether each version replays its {@code assets.extra/tf_serving_warmup_requests} before it serves
         * ({@code --enable_model_warmup}); on, as in TF Serving.
         */
        public Builder modelWarmup(final boolean value) {
            this.modelWarmup = value;
            return this;
        }

        /** How many times each warm-up request is replayed ({@code --num_request_iterations_for_warmup}). */
        public Builder modelWarmupIterations(final int value) {
            this.modelWarmupIterations = value;
            return this;
        }

        /**
         * Whether a version without warm-up requests is warmed up on inputs of zeros at the batch sizes it will run
         * at ({@code --synthetic_warmup}, ringserve's own); on. Only with {@link #modelWarmup}.
         */
        public Builder syntheticWarmup(final boolean value) {
            this.syntheticWarmup = value;
            return this;
        }

        /**
         * How a version that failed to load is tried again while its files stay as they were
         * ({@code --max_num_load_retries}, {@code --load_retry_interval_micros}): up to {@code max} times, each at
         * least {@code interval} after the attempt before; TF Serving's 5 and one minute by default.
         */
        public Builder loadRetries(final int max, final Duration interval) {
            this.maxLoadRetries = max;
            this.loadRetryInterval = interval;
            return this;
        }

        /**
         * How often the models' base paths are polled for new versions ({@code --file_system_poll_wait_seconds});
         * 0, the builder's default, reads them once at start. The command line defaults to TF Serving's 1.
         */
        public Builder fileSystemPollWaitSeconds(final int value) {
            this.fileSystemPollWaitSeconds = value;
            return this;
        }

        /**
         * The model config file the models came from, re-read every {@code pollWaitSeconds}
         * ({@code --model_config_file_poll_wait_seconds}; 0 reads it once).
         */
        public Builder modelConfigFile(final Path file, final int pollWaitSeconds) {
            this.modelConfigFile = Optional.of(file);
            this.modelConfigFilePollWaitSeconds = pollWaitSeconds;
            return this;
        }

        /**
         * How long a REST connection may stay idle (nothing read or written, no request being answered) before the
         * server closes it ({@code --rest_api_idle_timeout_seconds}); an hour, Envoy's default. Zero never closes.
         */
        public Builder restIdleTimeout(final Duration value) {
            this.restIdleTimeout = value;
            return this;
        }

        /**
         * Serves KServe V2's model repository extension over {@code repository} ({@code --model_repository} with
         * {@code --enable_model_repository_api}): its directories are loaded and unloaded by name while the server
         * runs. Off by default.
         */
        public Builder modelRepositoryApi(final Path repository) {
            this.modelRepositoryApi = Optional.of(repository);
            return this;
        }

        /** CORS headers on REST answers and preflight requests ({@code --rest_api_enable_cors_support}); off. */
        public Builder restCors(final boolean value) {
            this.restCors = value;
            return this;
        }

        /** TLS for the gRPC port ({@code --ssl_config_file}); plaintext by default. */
        public Builder grpcTls(final SslConfig value) {
            this.grpcTls = Optional.of(value);
            return this;
        }

        /** gRPC server arguments ({@code --grpc_channel_arguments}); none by default. */
        public Builder grpcChannelArguments(final GrpcChannelArguments value) {
            this.grpcChannelArguments = value;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(bindAddress, grpcPort, restPort, models, restApiTimeoutMillis, restIdleTimeout,
                    maxRequestBytes,
                    inferenceThreads, maxQueuedRequests, eventLoopThreads, sessionOptions, drainTimeoutMillis,
                    batching, metricsPort, monitoringPath, grpcMaxInboundMessageBytes, grpcSocketPath,
                    grpcChannelArguments, grpcTls, predictOutputEncoding, restCors, signatureMethodCheck,
                    modelWarmup, modelWarmupIterations, syntheticWarmup, maxLoadRetries, loadRetryInterval,
                    fileSystemPollWaitSeconds, modelConfigFile,
                    modelConfigFilePollWaitSeconds, modelRepositoryApi);
        }
    }
}
