package io.ringserve.server;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.server.config.BatchingParametersFile;
import io.ringserve.server.config.ModelServerConfigFile;
import io.ringserve.server.config.MonitoringConfigFile;
import io.ringserve.server.config.PlatformConfigFile;
import io.ringserve.server.config.SessionConfigFile;
import io.ringserve.server.config.SslConfig;
import io.ringserve.server.grpc.GrpcChannelArguments;
import io.ringserve.server.grpc.GrpcTls;
import io.ringserve.server.grpc.PredictOutputEncoding;
import io.ringserve.server.inference.SignatureMethodCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code ringserve} command line: TensorFlow Serving's flag names and meanings, plus ringserve's own flags in
 * the same underscore style. Turns flags and the environment into a {@link ServerConfig}.
 */
@Command(name = "ringserve", mixinStandardHelpOptions = true, versionProvider = ServerCommand.Versions.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"A TensorFlow Serving compatible inference server.",
            "Serves SavedModels laid out as <base_path>/<integer version>/saved_model.pb over TF Serving's REST API."},
        footer = {"", "Environment (as in TF Serving's image, used when no model flag is given):",
            "  MODEL_NAME       model name (default: model)",
            "  MODEL_BASE_PATH  parent of the model directory (default: /models); serves $MODEL_BASE_PATH/$MODEL_NAME"})
public final class ServerCommand {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8500",
            description = "gRPC port: TF Serving's PredictionService and ModelService, health, reflection "
                    + "(default: ${DEFAULT-VALUE}); 0 turns gRPC off; -1 takes any free port (logged at start).")
    int grpcPort;

    @Option(names = "--grpc_socket_path", paramLabel = "PATH", defaultValue = "",
            description = "Also serve the gRPC API on this UNIX domain socket (relative or absolute path; Linux). "
                    + "A socket left there by an earlier run is replaced.")
    String grpcSocketPath;

    @Option(names = "--grpc_channel_arguments", paramLabel = "K=V,...", defaultValue = "",
            description = "gRPC server arguments, comma separated, e.g. grpc.max_connection_age_ms=30000. Applied: "
                    + "grpc.max_connection_age_ms, grpc.max_connection_age_grace_ms, grpc.max_connection_idle_ms, "
                    + "grpc.keepalive_time_ms, grpc.keepalive_timeout_ms, grpc.keepalive_permit_without_calls, "
                    + "grpc.http2.min_recv_ping_interval_without_data_ms, grpc.max_concurrent_streams, "
                    + "grpc.max_receive_message_length, grpc.max_metadata_size; others are logged and ignored.")
    String grpcChannelArguments;

    @Option(names = "--grpc_max_inbound_message_bytes", paramLabel = "BYTES", defaultValue = "268435456",
            description = "ringserve: largest gRPC request accepted (default: ${DEFAULT-VALUE}).")
    int grpcMaxInboundMessageBytes;

    @Option(names = "--rest_api_port", paramLabel = "PORT", defaultValue = "0",
            description = "REST port: TF Serving's REST API, KServe V2, /metrics (default: ${DEFAULT-VALUE}, REST off, "
                    + "as in TF Serving; bin/ringserve and the container image use 8501); -1 takes any free port.")
    int restApiPort;

    @Option(names = "--model_name", paramLabel = "NAME",
            description = "Name of the model served from --model_base_path (default: default).")
    String modelName;

    @Option(names = "--model_base_path", converter = BlankIsUnset.class, paramLabel = "DIR",
            description = "Directory holding the model's integer version directories; the newest version is served.")
    Path modelBasePath;

    @Option(names = "--model_config_file", converter = BlankIsUnset.class, paramLabel = "FILE",
            description = "TF Serving ModelServerConfig (text format): model_config_list { config { name, base_path, "
                    + "model_platform, model_version_policy, version_labels } ... }. The models it lists are served; "
                    + "--model_name, --model_base_path and MODEL_NAME / MODEL_BASE_PATH are then ignored, as in TF "
                    + "Serving.")
    Path modelConfigFile;

    @Option(names = "--file_system_poll_wait_seconds", paramLabel = "SECONDS", defaultValue = "1",
            description = "How often the models' base paths are polled for new versions, which are loaded while the "
                    + "old ones serve; versions the policy no longer selects are unloaded once their requests are "
                    + "answered. 0 reads them once at start (default: ${DEFAULT-VALUE}, as TF Serving).")
    int fileSystemPollWaitSeconds;

    @Option(names = "--model_config_file_poll_wait_seconds", paramLabel = "SECONDS", defaultValue = "0",
            description = "How often --model_config_file is read again: models it adds are loaded, models it drops "
                    + "stop serving once answered, changed policies and labels apply; 0 reads it once at start "
                    + "(default: ${DEFAULT-VALUE}, as TF Serving).")
    int modelConfigFilePollWaitSeconds;

    @Option(names = "--model_repository", converter = BlankIsUnset.class, paramLabel = "DIR",
            description = "ringserve: serve every subdirectory of DIR as a model named after it.")
    Path modelRepository;

    @Option(converter = TfBoolean.class,
            names = "--enable_model_repository_api", negatable = true, fallbackValue = "true", arity = "0..1",
            description = "ringserve: KServe V2's model repository extension over --model_repository (POST "
                    + "/v2/repository/models/{m}/load|unload, /v2/repository/index, gRPC RepositoryModelLoad|Unload), "
                    + "as KServe's multi-model serving uses it; the repository may start empty (default: false).")
    boolean enableModelRepositoryApi;

    @Option(names = "--rest_api_timeout_in_ms", paramLabel = "MS", defaultValue = "30000",
            description = "Deadline of a REST request (default: ${DEFAULT-VALUE}); past it the client gets 504. A "
                    + "request body that stops arriving for this long gets 408.")
    long restApiTimeoutMillis;

    @Option(names = "--rest_api_idle_timeout_seconds", paramLabel = "S", defaultValue = "3600",
            description = "Close a REST keep-alive connection idle this long: nothing read or written and no request "
                    + "being answered; 0 never closes (default: ${DEFAULT-VALUE}; ringserve's own).")
    long restIdleTimeoutSeconds;

    @Option(names = "--rest_api_num_threads", paramLabel = "N",
            description = "REST event-loop threads (default: the CPU count).")
    Integer restApiNumThreads;

    @Option(names = "--tensorflow_intra_op_parallelism", paramLabel = "N", defaultValue = "0",
            description = "Threads used inside one TensorFlow op; 0 lets TensorFlow choose (default).")
    int intraOpParallelism;

    @Option(names = "--tensorflow_inter_op_parallelism", paramLabel = "N", defaultValue = "0",
            description = "Threads used to run independent TensorFlow ops; 0 lets TensorFlow choose (default), a "
                    + "negative value runs every op in the thread that calls the model (no hand-off per op).")
    int interOpParallelism;

    @Option(names = "--tensorflow_session_parallelism", paramLabel = "N", defaultValue = "0",
            description = "Threads for both of the above, when neither is given (TF Serving's older flag); giving "
                    + "all three is an error, as in TF Serving (default: ${DEFAULT-VALUE}).")
    int sessionParallelism;

    @Option(names = "--tensorflow_session_config_file", converter = BlankIsUnset.class, paramLabel = "FILE",
            description = "TensorFlow ConfigProto (text format) for every model's session; the thread and GPU "
                    + "flags, when given, override its fields, as in TF Serving.")
    Path sessionConfigFile;

    @Option(names = "--saved_model_tags", paramLabel = "TAGS", defaultValue = "serve",
            description = "Comma-separated MetaGraph tags of the SavedModels to load (default: ${DEFAULT-VALUE}, as TF "
                    + "Serving).")
    String savedModelTags;

    @Option(names = "--per_process_gpu_memory_fraction", paramLabel = "FRACTION", defaultValue = "0",
            description = "Share (0 to 1) of each GPU's memory a model's session may take; 0 leaves TensorFlow's "
                    + "default. No effect on the CPU build (default: ${DEFAULT-VALUE}).")
    double perProcessGpuMemoryFraction;

    @Option(converter = TfBoolean.class,
            names = "--enable_batching", negatable = true, fallbackValue = "true", arity = "0..1",
            description = "Batch concurrent requests into one model call (default: false).")
    boolean enableBatching;

    @Option(names = "--batching_parameters_file", converter = BlankIsUnset.class, paramLabel = "FILE",
            description = "TF Serving BatchingParameters (text format): max_batch_size, batch_timeout_micros, "
                    + "max_enqueued_batches, num_batch_threads, allowed_batch_sizes, ...")
    Path batchingParametersFile;

    @Option(names = {"--enable_per_model_batching_parameters", "--enable_per_model_batching_params"},
            negatable = true, fallbackValue = "true", arity = "0..1",
            description = "Read a model version's own assets.extra/batching_params.pbtxt (default: false). TF "
                    + "Serving's flag is --enable_per_model_batching_parameters; --enable_per_model_batching_params "
                    + "is kept for ringserve's earlier command lines.")
    boolean perModelBatchingParams;

    @Option(names = "--batching_close_policy", paramLabel = "POLICY", defaultValue = "adaptive",
            converter = ClosePolicyConverter.class,
            description = "ringserve: when a partial batch closes: adaptive (at once when a batch thread is free; "
                    + "default) or timeout (after batch_timeout_micros, as TF Serving does).")
    ClosePolicy closePolicy;

    @Option(names = "--platform_config_file", paramLabel = "FILE",
            description = "TF Serving PlatformConfigMap (text format): the tensorflow platform's SessionBundleConfig "
                    + "(session_config, batching_parameters, saved_model_tags, enable_model_warmup, ...), used instead "
                    + "of the batching, session, tag and warm-up flags, as in TF Serving.")
    String platformConfigFile;

    @Option(names = "--monitoring_config_file", converter = BlankIsUnset.class, paramLabel = "FILE",
            description = "TF Serving MonitoringConfig (text format); prometheus_config { enable: true } serves "
                    + "Prometheus metrics on the REST port at its path (default /monitoring/prometheus/metrics).")
    Path monitoringConfigFile;

    @Option(converter = TfBoolean.class,
            names = "--rest_api_enable_cors_support", negatable = true, fallbackValue = "true", arity = "0..1",
            description = "CORS headers on REST answers, and answers to preflight OPTIONS requests (default: false).")
    boolean restApiEnableCorsSupport;

    @Option(converter = TfBoolean.class,
            names = "--enable_signature_method_name_check", negatable = true, fallbackValue = "true",
            arity = "0..1", description = "A signature's method_name must match the call (classify, regress, or for "
            + "Predict one of the three), as TF Serving checks it (default: false).")
    boolean signatureMethodNameCheck;

    @Option(converter = TfBoolean.class,
            names = "--enable_grpc_healthcheck_service", negatable = true, fallbackValue = "true", arity = "0..1",
            description = "Accepted for TF Serving command lines: ringserve always serves grpc.health.v1.Health.")
    boolean grpcHealthcheckService;

    /** Arguments no flag above matched: TF Serving's inert flags ({@link InertTfServingFlags}), or mistakes. */
    @CommandLine.Unmatched
    List<String> unmatched = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * TF Serving's flags given that have no effect in ringserve, with their values.
     *
     * @throws IllegalArgumentException naming an argument that is no flag at all, or one ringserve refuses
     */
    Map<String, String> noEffectFlagsGiven() {
        return InertTfServingFlags.given(unmatched, spec == null ? List.of() : spec.optionsMap().keySet());
    }

    @Option(converter = TfBoolean.class,
            names = "--enable_serialization_as_tensor_content", negatable = true, fallbackValue = "true",
            arity = "0..1", description = "gRPC Predict writes outputs as tensor_content (raw bytes) instead of typed "
            + "values (default: false).")
    boolean serializationAsTensorContent;

    @Option(converter = TfBoolean.class,
            names = "--enable_model_warmup", negatable = true, fallbackValue = "true", arity = "0..1",
            defaultValue = "true",
            description = "Replay each version's assets.extra/tf_serving_warmup_requests (TFRecord of PredictionLog) "
                    + "before it serves, as TF Serving (default: ${DEFAULT-VALUE}).")
    boolean enableModelWarmup;

    @Option(names = "--max_num_load_retries", paramLabel = "N", defaultValue = "5",
            description = "Times a version that failed to load is tried again while its files stay as they were, one "
                    + "poll at least --load_retry_interval_micros after the attempt before (default: "
                    + "${DEFAULT-VALUE}, as TF Serving); changed files are tried at once.")
    int maxNumLoadRetries;

    @Option(names = "--load_retry_interval_micros", paramLabel = "US", defaultValue = "60000000",
            description = "Least time between two attempts to load a version (default: ${DEFAULT-VALUE}, a minute, "
                    + "as TF Serving).")
    long loadRetryIntervalMicros;

    @Option(converter = TfBoolean.class,
            names = "--synthetic_warmup", negatable = true, fallbackValue = "true", arity = "0..1",
            defaultValue = "true",
            description = "Warm up a version that has no warm-up requests on inputs of zeros, at each batch size it "
                    + "will run at, so that its first requests do not pay TensorFlow's lazy set-up; with "
                    + "--enable_model_warmup (default: ${DEFAULT-VALUE}; ringserve's own).")
    boolean syntheticWarmup;

    @Option(names = "--num_request_iterations_for_warmup", paramLabel = "N", defaultValue = "0",
            description = "Times each warm-up request is replayed; used when > 0, else once (default: "
                    + "${DEFAULT-VALUE}, as TF Serving).")
    int warmupIterations;

    @Option(names = "--ssl_config_file", converter = BlankIsUnset.class, paramLabel = "FILE",
            description = "TF Serving SSLConfig (text format: server_key, server_cert, custom_ca, client_verify): "
                    + "TLS on the gRPC port.")
    Path sslConfigFile;

    @Option(names = "--metrics_port", paramLabel = "PORT",
            description = "ringserve: also serve /metrics on this port (/metrics is always on the REST port).")
    Integer metricsPort;

    @Option(names = "--inference_threads", paramLabel = "N",
            description = "ringserve: model calls that may run at once (default: CPU count, at least 2).")
    Integer inferenceThreads;

    @Option(names = "--max_queued_requests", paramLabel = "N", defaultValue = "4096",
            description = "ringserve: requests that may wait for a model call before new ones get 503 "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxQueuedRequests;

    @Option(names = "--max_request_bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "ringserve: largest request body accepted; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    int maxRequestBytes;

    @Option(names = "--drain_timeout_ms", paramLabel = "MS", defaultValue = "25000",
            description = "ringserve: on shutdown, how long queued and running requests may take to finish "
                    + "(default: ${DEFAULT-VALUE}).")
    long drainTimeoutMillis;

    /**
     * The configuration the flags and {@code environment} describe.
     *
     * @throws IllegalArgumentException naming the flag when the combination is invalid or nothing is to be served
     */
    ServerConfig toConfig(final Map<String, String> environment) {
        noEffectFlagsGiven().forEach((flag, value) -> LOG.info("{}={} has no effect in ringserve: {}", flag, value,
                InertTfServingFlags.NO_EFFECT.get(flag)));
        final ServerConfig.Builder builder = ServerConfig.builder()
                .grpcPort(grpcPort)
                .restPort(restApiPort)
                .models(models(environment))
                .restApiTimeoutMillis(restApiTimeoutMillis)
                .restIdleTimeout(Duration.ofSeconds(restIdleTimeoutSeconds))
                .maxQueuedRequests(maxQueuedRequests)
                .maxRequestBytes(maxRequestBytes)
                .drainTimeoutMillis(drainTimeoutMillis)
                .grpcMaxInboundMessageBytes(grpcMaxInboundMessageBytes)
                .grpcSocketPath(grpcSocketPath)
                .grpcChannelArguments(GrpcChannelArguments.parse(grpcChannelArguments))
                .restCors(restApiEnableCorsSupport)
                .signatureMethodCheck(signatureMethodNameCheck ? SignatureMethodCheck.ON : SignatureMethodCheck.OFF)
                .syntheticWarmup(syntheticWarmup)
                .loadRetries(maxNumLoadRetries, Duration.ofNanos(Math.multiplyExact(loadRetryIntervalMicros, 1000L)))
                .fileSystemPollWaitSeconds(fileSystemPollWaitSeconds);
        if (modelConfigFile != null) {
            builder.modelConfigFile(modelConfigFile, modelConfigFilePollWaitSeconds);
        }
        if (enableModelRepositoryApi) {
            if (modelRepository == null) {
                throw new IllegalArgumentException("--enable_model_repository_api needs --model_repository=DIR: the "
                        + "models it loads by name are its directories");
            }
            builder.modelRepositoryApi(modelRepository);
        }
        if (inferenceThreads != null) {
            builder.inferenceThreads(inferenceThreads);
        }
        if (restApiNumThreads != null) {
            builder.eventLoopThreads(restApiNumThreads);
        }
        if (metricsPort != null) {
            builder.metricsPort(metricsPort);
        }
        if (monitoringConfigFile != null) {
            builder.monitoringPath(MonitoringConfigFile.read(monitoringConfigFile));
        }
        if (serializationAsTensorContent) {
            builder.predictOutputEncoding(PredictOutputEncoding.TENSOR_CONTENT);
        }
        if (sslConfigFile != null) {
            final SslConfig tls = SslConfig.read(sslConfigFile);
            GrpcTls.serverContext(tls); // A key or certificate that cannot be used fails here, naming the flag.
            builder.grpcTls(tls);
        }
        final Optional<PlatformConfigFile.TensorFlowPlatform> platform = platformConfig();
        if (platform.isPresent()) {
            applyPlatformConfig(builder, platform.get());
        } else {
            builder.sessionOptions(sessionOptions())
                    .batching(batching())
                    .modelWarmup(enableModelWarmup)
                    .modelWarmupIterations(warmupIterations <= 0 ? 1 : warmupIterations);
        }
        return builder.build();
    }

    /** {@code --platform_config_file}'s tensorflow platform; empty without the flag, or with an empty file name. */
    private Optional<PlatformConfigFile.TensorFlowPlatform> platformConfig() {
        if (platformConfigFile == null || platformConfigFile.isBlank()) {
            return Optional.empty();
        }
        final List<String> ignored = new ArrayList<>();
        if (enableBatching) {
            ignored.add("--enable_batching");
        }
        if (batchingParametersFile != null) {
            ignored.add("--batching_parameters_file");
        }
        if (perModelBatchingParams) {
            ignored.add("--enable_per_model_batching_params");
        }
        if (sessionConfigFile != null) {
            ignored.add("--tensorflow_session_config_file");
        }
        if (sessionParallelism != 0 || intraOpParallelism != 0 || interOpParallelism != 0) {
            ignored.add("--tensorflow_*_parallelism");
        }
        if (perProcessGpuMemoryFraction != 0) {
            ignored.add("--per_process_gpu_memory_fraction");
        }
        if (!savedModelTags.equals(SavedModelLoader.SERVE_TAG)) {
            ignored.add("--saved_model_tags");
        }
        if (!enableModelWarmup || warmupIterations > 0) {
            ignored.add("--enable_model_warmup / --num_request_iterations_for_warmup");
        }
        if (!ignored.isEmpty()) {
            LOG.warn("--platform_config_file is given: {} ignored, as in TF Serving; its SessionBundleConfig says "
                    + "how models load and run", String.join(", ", ignored));
        }
        return Optional.of(PlatformConfigFile.read(Path.of(platformConfigFile), closePolicy));
    }

    /** What the flags that the platform config replaces would otherwise set, from its SessionBundleConfig. */
    private static void applyPlatformConfig(final ServerConfig.Builder builder,
                                            final PlatformConfigFile.TensorFlowPlatform platform) {
        builder.sessionOptions(new SessionOptions(0, 0, 0,
                        platform.savedModelTags().isEmpty() ? List.of(SavedModelLoader.SERVE_TAG)
                                : platform.savedModelTags(),
                        platform.sessionConfig().orElse(ConfigProto.getDefaultInstance())))
                .batching(platform.batching()
                        .map(options -> new BatchingConfig(true, options, platform.perModelBatchingParams()))
                        .orElse(BatchingConfig.DISABLED))
                .modelWarmup(platform.modelWarmup())
                .modelWarmupIterations(platform.warmupIterations().orElse(1));
    }

    /**
     * The session options from the TensorFlow flags, resolved as TF Serving resolves them: the intra- and inter-op
     * flags when either is given, else {@code --tensorflow_session_parallelism} for both.
     */
    private SessionOptions sessionOptions() {
        if (sessionParallelism > 0 && intraOpParallelism > 0 && interOpParallelism > 0) {
            throw new IllegalArgumentException("Either configure --tensorflow_session_parallelism or "
                    + "(--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism) separately. You cannot "
                    + "configure all.");
        }
        final boolean threadsGiven = intraOpParallelism != 0 || interOpParallelism != 0;
        final ConfigProto base = sessionConfigFile == null ? ConfigProto.getDefaultInstance()
                : SessionConfigFile.read(sessionConfigFile);
        return new SessionOptions(threadsGiven ? intraOpParallelism : Math.max(0, sessionParallelism),
                threadsGiven ? interOpParallelism : Math.max(0, sessionParallelism), perProcessGpuMemoryFraction,
                Arrays.stream(savedModelTags.split(",")).map(String::trim).toList(), base);
    }

    private BatchingConfig batching() {
        if (!enableBatching) {
            if (batchingParametersFile != null) {
                throw new IllegalArgumentException("--batching_parameters_file needs --enable_batching");
            }
            return BatchingConfig.DISABLED;
        }
        final BatchingOptions defaults = batchingParametersFile == null
                ? BatchingOptions.builder().closePolicy(closePolicy).build()
                : BatchingParametersFile.read(batchingParametersFile, closePolicy);
        return new BatchingConfig(true, defaults, perModelBatchingParams);
    }

    /** {@code --version}: ringserve's and the TensorFlow library's, as TF Serving prints its own and TensorFlow's. */
    static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ringserve 0.1.0 (TensorFlow Serving compatible)",
                "TensorFlow Library: " + TensorFlow.version()};
        }
    }

    /**
     * A file or directory flag: given empty ({@code --model_config_file=}, as templated command lines leave it),
     * unset, as TF Serving reads an empty string.
     */
    static final class BlankIsUnset implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(final String value) {
            return value.isBlank() ? null : Path.of(value);
        }
    }

    /**
     * A boolean flag's value as TF Serving's flag parser reads it: {@code true}/{@code false} in any case, or
     * {@code 1}/{@code 0} ({@code --enable_batching=1}).
     */
    static final class TfBoolean implements CommandLine.ITypeConverter<Boolean> {
        @Override
        public Boolean convert(final String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw new CommandLine.TypeConversionException("expected true, false, 1 or 0, got '"
                        + value + "'");
            };
        }
    }

    /** Reads {@code adaptive} / {@code timeout} in any case. */
    static final class ClosePolicyConverter implements CommandLine.ITypeConverter<ClosePolicy> {
        @Override
        public ClosePolicy convert(final String value) {
            try {
                return ClosePolicy.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected adaptive or timeout, got '" + value + "'");
            }
        }
    }

    private List<ModelConfig> models(final Map<String, String> environment) {
        if (modelConfigFilePollWaitSeconds != 0 && modelConfigFile == null) {
            LOG.warn("--model_config_file_poll_wait_seconds is ignored without --model_config_file, as in TF Serving");
        }
        if (modelConfigFile != null) {
            if (modelRepository != null) {
                throw new IllegalArgumentException("--model_config_file and --model_repository both list models: "
                        + "give one of them");
            }
            if (modelName != null || modelBasePath != null) {
                LOG.warn("--model_config_file is given: --model_name and --model_base_path are ignored, as in TF "
                        + "Serving");
            }
            final List<ModelServerConfigFile.Model> configured = ModelServerConfigFile.read(modelConfigFile)
                    .orElse(List.of());
            if (configured.isEmpty()) {
                LOG.warn("--model_config_file {} lists no model: serving none until it does, as TF Serving",
                        modelConfigFile);
            }
            return configured.stream()
                    .map(model -> new ModelConfig(model.name(), model.basePath(), model.versions(), model.labels()))
                    .toList();
        }
        final List<ModelConfig> models = new ArrayList<>();
        if (modelRepository != null) {
            if (modelName != null || modelBasePath != null) {
                // As --model_config_file: the container image's entrypoint always passes the MODEL_NAME model.
                LOG.warn("--model_repository is given: --model_name and --model_base_path are ignored, as "
                        + "--model_config_file makes TF Serving ignore them");
            }
            return repositoryModels(modelRepository, enableModelRepositoryApi);
        }
        if (modelBasePath != null) {
            models.add(new ModelConfig(modelName == null ? "default" : modelName, modelBasePath));
        } else if (modelName != null) {
            throw new IllegalArgumentException("--model_name needs --model_base_path");
        }
        if (models.isEmpty() && (environment.containsKey("MODEL_NAME") || environment.containsKey("MODEL_BASE_PATH"))) {
            final String name = environment.getOrDefault("MODEL_NAME", "model");
            models.add(new ModelConfig(name, Path.of(environment.getOrDefault("MODEL_BASE_PATH", "/models"), name)));
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("No model to serve: pass --model_base_path=DIR (and --model_name), "
                    + "--model_config_file=FILE, --model_repository=DIR, or set MODEL_BASE_PATH and MODEL_NAME");
        }
        return models;
    }

    private static List<ModelConfig> repositoryModels(final Path repository, final boolean allowEmpty) {
        if (!Files.isDirectory(repository)) {
            throw new IllegalArgumentException("--model_repository is not a directory: " + repository);
        }
        try {
            final List<ModelConfig> models = ModelRepositoryControl.modelDirectories(repository).stream()
                    .map(dir -> new ModelConfig(dir.getFileName().toString(), dir))
                    .toList();
            if (models.isEmpty() && !allowEmpty) {
                throw new IllegalArgumentException("--model_repository holds no model directories: " + repository
                        + " (with --enable_model_repository_api it may start empty)");
            }
            return models;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list --model_repository " + repository, e);
        }
    }

    /** Tells the user where the server listens and how to call it. */
    static void printBanner(final PrintWriter out, final InferenceServer server) {
        final String base = "http://localhost:" + server.restPort();
        final List<String> listening = new ArrayList<>();
        if (server.restPort() > 0) {
            listening.add("REST on " + base);
        }
        if (server.grpcPort() > 0) {
            listening.add("gRPC on localhost:" + server.grpcPort());
        }
        out.println();
        final String on = listening.isEmpty() ? "on no TCP port" : String.join(" and ", listening);
        final boolean anyAvailable = server.registry().all().stream().anyMatch(ServedModel::isAvailable);
        out.println(anyAvailable || server.registry().all().isEmpty() ? "ringserve is serving " + on
                : "ringserve is up " + on + ", but no model is available (readiness answers 503 until one is)");
        server.registry().all().forEach(model -> out.println("  model " + model.name() + ": "
                + (model.isAvailable() ? "version " + model.latest().orElseThrow().version() + " AVAILABLE"
                : "NOT AVAILABLE (" + model.statuses().stream().map(s -> s.error().orElse(s.state().name()))
                        .findFirst().orElse(model.error().orElse("no versions")) + ")")));
        if (server.restPort() <= 0) {
            out.println();
            out.flush();
            return;
        }
        out.println("Try:");
        if (server.registry().get("half_plus_two").isPresent()) {
            out.println("  curl -d '{\"instances\": [1.0, 2.0, 5.0]}' " + base + "/v1/models/half_plus_two:predict");
        }
        server.registry().all().stream().findFirst().ifPresent(model ->
                out.println("  curl " + base + "/v1/models/" + model.name() + "/metadata"));
        out.println();
        out.flush();
    }
}
