package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.batching.ClosePolicy;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.VersionPolicy;
import io.ringserve.server.grpc.GrpcChannelArguments;
import io.ringserve.server.grpc.PredictOutputEncoding;
import io.ringserve.server.inference.SignatureMethodCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.TensorFlow;
import picocli.CommandLine;

class ServerCommandTest {
    private static ServerConfig parse(final Map<String, String> env, final String... args) {
        final ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args);
        return command.toConfig(env);
    }

    @Test
    void shouldTakeTfServingsFlags() {
        final ServerConfig config = parse(Map.of(), "--port=9000", "--rest_api_port=9001", "--model_name=m",
                "--model_base_path=/models/m", "--rest_api_timeout_in_ms=1500",
                "--tensorflow_intra_op_parallelism=2", "--tensorflow_inter_op_parallelism=3",
                "--grpc_socket_path=/run/ringserve/grpc.sock", "--grpc_channel_arguments=grpc.max_connection_age_ms=30000");
        assertThat(config.grpcPort()).isEqualTo(9000);
        assertThat(config.grpcSocketPath()).isEqualTo("/run/ringserve/grpc.sock");
        assertThat(config.grpcChannelArguments().settings())
                .containsEntry(GrpcChannelArguments.Setting.MAX_CONNECTION_AGE, 30000L);
        assertThat(config.restPort()).isEqualTo(9001);
        assertThat(config.models()).containsExactly(new ModelConfig("m", Path.of("/models/m")));
        assertThat(config.restApiTimeoutMillis()).isEqualTo(1500);
        assertThat(config.sessionOptions().intraOpParallelism()).isEqualTo(2);
        assertThat(config.sessionOptions().interOpParallelism()).isEqualTo(3);
        assertThat(config.batching().enabled()).isFalse();
        assertThat(parse(Map.of(), "--model_name=m", "--model_base_path=/m").grpcSocketPath()).isEmpty();
        assertThat(parse(Map.of(), "--model_name=m", "--model_base_path=/m").grpcChannelArguments())
                .isSameAs(GrpcChannelArguments.NONE);
    }

    @Test
    void shouldServeModelNameUnderModelBasePathFromTheEnvironmentAsTfServingsImageDoes() {
        final ServerConfig config = parse(Map.of("MODEL_NAME", "resnet", "MODEL_BASE_PATH", "/srv"));
        assertThat(config.models()).containsExactly(new ModelConfig("resnet", Path.of("/srv/resnet")));
        assertThat(parse(Map.of("MODEL_NAME", "x")).models())
                .containsExactly(new ModelConfig("x", Path.of("/models/x")));
    }

    @Test
    void shouldReadABatchingParametersFile(@TempDir final Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("batching.txt"),
                "max_batch_size { value: 64 }\nbatch_timeout_micros { value: 0 }\nnum_batch_threads { value: 2 }\n");
        final ServerConfig config = parse(Map.of(), "--model_base_path=/m", "--enable_batching",
                "--batching_parameters_file=" + file, "--batching_close_policy=timeout");
        assertThat(config.batching().enabled()).isTrue();
        assertThat(config.batching().defaults().maxBatchSize()).isEqualTo(64);
        assertThat(config.batching().defaults().numBatchThreads()).isEqualTo(2);
        assertThat(config.batching().defaults().closePolicy()).isEqualTo(ClosePolicy.TIMEOUT);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching=true").batching().enabled()).isTrue();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching=false").batching().enabled())
                .isFalse();
    }

    @Test
    void shouldTakeTfServingsCorsAndMethodNameCheckFlags() {
        assertThat(parse(Map.of(), "--model_base_path=/m").signatureMethodCheck())
                .isEqualTo(SignatureMethodCheck.OFF);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_signature_method_name_check=true")
                .signatureMethodCheck()).isEqualTo(SignatureMethodCheck.ON);
        assertThat(parse(Map.of(), "--model_base_path=/m").restCors()).isFalse();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--rest_api_enable_cors_support=true").restCors())
                .isTrue();
    }

    @Test
    void shouldTakeTfServingsGrpcOutputAndHealthFlags() {
        // Health is always served; the flag is accepted so that TF Serving command lines start.
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_grpc_healthcheck_service=true").grpcPort())
                .isEqualTo(8500);
        assertThat(parse(Map.of(), "--model_base_path=/m").predictOutputEncoding())
                .isEqualTo(PredictOutputEncoding.TYPED_VALUES);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_serialization_as_tensor_content")
                .predictOutputEncoding()).isEqualTo(PredictOutputEncoding.TENSOR_CONTENT);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_serialization_as_tensor_content=false")
                .predictOutputEncoding()).isEqualTo(PredictOutputEncoding.TYPED_VALUES);
    }

    @Test
    void shouldReadAnSslConfigFileAndRefuseOneWhoseKeyCannotBeUsed(@TempDir final Path dir) throws IOException {
        final Path good = Files.writeString(dir.resolve("ssl.txt"), "server_key: " + literal("server.key")
                + "\nserver_cert: " + literal("server.pem") + "\nclient_verify: false\n");
        final ServerConfig config = parse(Map.of(), "--model_base_path=/m", "--ssl_config_file=" + good);
        assertThat(config.grpcTls()).hasValueSatisfying(tls -> assertThat(tls.serverCert())
                .startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertThat(parse(Map.of(), "--model_base_path=/m").grpcTls()).isEmpty();

        final Path bad = Files.writeString(dir.resolve("bad.txt"), "server_key: \"x\" server_cert: \"y\"");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--ssl_config_file=" + bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--ssl_config_file:");
    }

    /** A test PEM file as adjacent text-format string literals, one per line, as users write SSLConfig files. */
    private static String literal(final String name) throws IOException {
        try (var in = ServerCommandTest.class.getResourceAsStream("/tls/" + name)) {
            final StringBuilder out = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                out.append('"').append(line).append("\\n\" ");
            }
            return out.toString();
        }
    }

    @Test
    void shouldExplainMistakes() {
        assertThatThrownBy(() -> parse(Map.of())).hasMessageContaining("No model to serve");
        assertThatThrownBy(() -> parse(Map.of(), "--model_name=m")).hasMessageContaining("--model_base_path");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--batching_parameters_file=/f"))
                .hasMessageContaining("--enable_batching");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--rest_api_port=70000"))
                .hasMessageContaining("rest_api_port");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--batching_close_policy=sometimes"))
                .hasMessageContaining("adaptive or timeout");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--grpc_channel_arguments=grpc.keepalive"))
                .hasMessageContaining("--grpc_channel_arguments").hasMessageContaining("'grpc.keepalive'");
    }

    @Test
    void shouldTakeTheGrpcMessageLimitFromTheChannelArgumentsOverTheFlag() {
        assertThat(parse(Map.of(), "--model_base_path=/m").grpcMaxInboundMessageBytesInEffect())
                .isEqualTo(256 << 20);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--grpc_max_inbound_message_bytes=1000")
                .grpcMaxInboundMessageBytesInEffect()).isEqualTo(1000);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--grpc_max_inbound_message_bytes=1000",
                "--grpc_channel_arguments=grpc.max_receive_message_length=5000000000")
                .grpcMaxInboundMessageBytesInEffect()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void shouldServeTheModelsOfAModelConfigFileInsteadOfModelNameAndBasePath(@TempDir final Path dir)
            throws IOException {
        final Path file = Files.writeString(dir.resolve("models.config"), """
                model_config_list {
                  config { name: "a" base_path: "/models/a" model_platform: "tensorflow" }
                  config {
                    name: "b" base_path: "/models/b" model_version_policy { specific { versions: 7 } }
                    version_labels { key: "stable" value: 7 }
                  }
                }
                """);
        final ServerConfig config = parse(Map.of("MODEL_NAME", "env"), "--model_config_file=" + file,
                "--model_name=ignored", "--model_base_path=/ignored", "--model_config_file_poll_wait_seconds=0");
        assertThat(config.models()).containsExactly(new ModelConfig("a", Path.of("/models/a")),
                new ModelConfig("b", Path.of("/models/b"), new VersionPolicy.Specific(Set.of(7L)),
                        Map.of("stable", 7L)));
    }

    @Test
    void booleanFlagsShouldTakeTfServingsSpellings() {
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching=1").batching().enabled()).isTrue();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching=TRUE").batching().enabled()).isTrue();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching=0").batching().enabled()).isFalse();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching").batching().enabled()).isTrue();
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--enable_batching=yes"))
                .hasMessageContaining("expected true, false, 1 or 0, got 'yes'");
    }

    @Test
    void fileFlagsGivenEmptyShouldBeUnsetAsInTfServing() {
        final ServerConfig config = parse(Map.of(), "--model_base_path=/m", "--model_config_file=",
                "--batching_parameters_file=", "--monitoring_config_file=", "--ssl_config_file=",
                "--tensorflow_session_config_file=");
        assertThat(config.models()).extracting(ModelConfig::basePath).containsExactly(Path.of("/m"));
        assertThat(config.batching().enabled()).isFalse();
        assertThat(config.monitoringPath()).isEmpty();
        assertThat(config.grpcTls()).isEmpty();
    }

    @Test
    void shouldRefuseModelConfigFileCombinationsItCannotHonour(@TempDir final Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("models.config"),
                "model_config_list { config { name: 'a' base_path: '/a' } }");
        assertThat(parse(Map.of(), "--model_config_file=" + file, "--model_config_file_poll_wait_seconds=60")
                .modelConfigFilePollWaitSeconds()).isEqualTo(60);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--model_config_file_poll_wait_seconds=60").models())
                .as("ignored without a config file, as in TF Serving").hasSize(1);
        final Path empty = Files.writeString(dir.resolve("empty.config"), "model_config_list { }");
        assertThat(parse(Map.of(), "--model_config_file=" + empty).models()).as("serves none until it lists some")
                .isEmpty();
        assertThatThrownBy(() -> parse(Map.of(), "--model_config_file=" + file, "--model_repository=" + dir))
                .hasMessageContaining("--model_config_file and --model_repository");
        assertThatThrownBy(() -> parse(Map.of(), "--model_config_file=" + dir.resolve("missing.config")))
                .hasMessageContaining("cannot read model config file").hasMessageContaining("no such file");
    }

    @Test
    void shouldWarmModelsUpUnlessTold() {
        assertThat(parse(Map.of(), "--model_base_path=/m").modelWarmup()).isTrue();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_model_warmup=false").modelWarmup()).isFalse();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_model_warmup").modelWarmup()).isTrue();
    }

    @Test
    void theModelRepositoryApiShouldNeedARepositoryWhichMayThenStartEmpty(@TempDir final Path repository) {
        assertThat(parse(Map.of(), "--model_base_path=/m").modelRepositoryApi()).isEmpty();
        final ServerConfig api = parse(Map.of(), "--model_repository=" + repository,
                "--enable_model_repository_api");
        assertThat(api.modelRepositoryApi()).contains(repository);
        assertThat(api.models()).isEmpty();
        assertThatThrownBy(() -> parse(Map.of(), "--model_repository=" + repository))
                .hasMessageContaining("--model_repository holds no model directories")
                .hasMessageContaining("--enable_model_repository_api");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--enable_model_repository_api"))
                .hasMessageContaining("--enable_model_repository_api needs --model_repository=DIR");
    }

    @Test
    void aModelRepositoryShouldWinOverTheImagesModelFlagsAsAModelConfigFileDoes(@TempDir final Path repository)
            throws IOException {
        Files.createDirectories(repository.resolve("a").resolve("1"));
        // The container's entrypoint always passes --model_name and --model_base_path before the user's flags.
        assertThat(parse(Map.of(), "--model_name=model", "--model_base_path=/models/model",
                "--model_repository=" + repository).models()).extracting(ModelConfig::name).containsExactly("a");
    }

    @Test
    void shouldCloseIdleRestConnectionsAfterAnHourUnlessTold() {
        assertThat(parse(Map.of(), "--model_base_path=/m").restIdleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(parse(Map.of(), "--model_base_path=/m", "--rest_api_idle_timeout_seconds=0").restIdleTimeout())
                .isZero();
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--rest_api_idle_timeout_seconds=-1"))
                .hasMessageContaining("--rest_api_idle_timeout_seconds must be >= 0");
    }

    @Test
    void shouldWarmUpOnZerosWithoutWarmupRequestsUnlessTold() {
        assertThat(parse(Map.of(), "--model_base_path=/m").syntheticWarmup()).isTrue();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--synthetic_warmup=false").syntheticWarmup()).isFalse();
    }

    @Test
    void shouldPollForNewVersionsEverySecondAsTfServingUnlessTold() {
        assertThat(parse(Map.of(), "--model_base_path=/m").fileSystemPollWaitSeconds()).isEqualTo(1);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--file_system_poll_wait_seconds=0")
                .fileSystemPollWaitSeconds()).isZero();
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--file_system_poll_wait_seconds=-1"))
                .hasMessageContaining("file_system_poll_wait_seconds");
    }

    @Test
    void shouldTakeSavedModelTagsAndTheGpuMemoryFraction() {
        final ServerConfig defaults = parse(Map.of(), "--model_base_path=/m");
        assertThat(defaults.sessionOptions().savedModelTags()).containsExactly("serve");
        assertThat(defaults.sessionOptions().gpuMemoryFraction()).isZero();
        final ServerConfig given = parse(Map.of(), "--model_base_path=/m", "--saved_model_tags=serve, gpu",
                "--per_process_gpu_memory_fraction=0.4");
        assertThat(given.sessionOptions().savedModelTags()).containsExactly("serve", "gpu");
        assertThat(given.sessionOptions().gpuMemoryFraction()).isEqualTo(0.4);
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--per_process_gpu_memory_fraction=2"))
                .hasMessageContaining("per_process_gpu_memory_fraction must be between 0 and 1");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--saved_model_tags=serve,,gpu"))
                .hasMessageContaining("saved_model_tags");
    }

    @Test
    void failedVersionsShouldBeTriedAgainAsTfServingTriesThem() {
        final ServerConfig defaults = parse(Map.of(), "--model_base_path=/m");
        assertThat(defaults.maxLoadRetries()).isEqualTo(5);
        assertThat(defaults.loadRetryInterval()).isEqualTo(Duration.ofMinutes(1));
        final ServerConfig given = parse(Map.of(), "--model_base_path=/m", "--max_num_load_retries=0",
                "--load_retry_interval_micros=1500000");
        assertThat(given.maxLoadRetries()).isZero();
        assertThat(given.loadRetryInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--max_num_load_retries=-1"))
                .hasMessageContaining("--max_num_load_retries must be in [0, ");
    }

    @Test
    void listenersShouldNotShareAPort() {
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--port=8601", "--rest_api_port=8601"))
                .hasMessage("--rest_api_port and --port are both 8601: each listener needs a port of its own");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--metrics_port=8500"))
                .hasMessage("--metrics_port and --port are both 8500: each listener needs a port of its own");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--rest_api_port=8501",
                "--metrics_port=8501")).hasMessageContaining("--metrics_port and --rest_api_port are both 8501");
        assertThat(parse(Map.of(), "--model_base_path=/m", "--port=0", "--rest_api_port=0").restPort()).isZero();
    }

    @Test
    void restShouldBeOffUnlessAPortIsGivenAsInTfServing() {
        assertThat(parse(Map.of(), "--model_base_path=/m").restPort()).as("TF Serving's default: REST off").isZero();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--rest_api_port=8501").restPort()).isEqualTo(8501);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--rest_api_port=-1").restPort())
                .isEqualTo(ServerConfig.ANY_FREE_PORT);
    }

    @Test
    void portMinusOneShouldAskForAnyFreePortAndLowerShouldBeRefused() {
        assertThat(parse(Map.of(), "--model_base_path=/m", "--port=-1").grpcPort())
                .isEqualTo(ServerConfig.ANY_FREE_PORT);
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--port=-2"))
                .hasMessage("--port must be in [-1, 65535], got -2");
    }

    @Test
    void shouldAcceptTfServingsTuningFlagsThatHaveNothingToTuneHere() {
        final ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs("--model_base_path=/m", "--num_load_threads=4",
                "--grpc_max_threads=8", "--flush_filesystem_caches",
                "--allow_version_labels_for_unavailable_models=true", "--num_unload_threads=2",
                "--force_allow_any_version_labels_for_unavailable_models=false",
                "--remove_unused_fields_from_bundle_metagraph=true", "--enable_profiler=false",
                "--xla_cpu_compilation_enabled=true", "--xla_gpu_compilation_enabled=false",
                "--prefer_tflite_model=true", "--num_tflite_pools=4",
                "--num_tflite_interpreters_per_pool=1", "--thread_pool_factory_config_file=/etc/pools.pbtxt",
                "--use_alts_credentials=false", "--platform_config_file=", "--num_load_threads=6",
                "--skip_initialize_tpu=false", "--mixed_precision=");
        assertThat(command.noEffectFlagsGiven()).containsOnlyKeys(InertTfServingFlags.NO_EFFECT.keySet())
                .containsEntry("--num_load_threads", "6").containsEntry("--flush_filesystem_caches", "true");
        assertThat(command.toConfig(Map.of()).models()).hasSize(1);
    }

    @Test
    void shouldRefuseUnknownFlagsAndWhatItCannotServe() {
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--no_such_flag=1"))
                .hasMessage("Unknown option: '--no_such_flag=1'");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--enable_batchng"))
                .hasMessage("Unknown option: '--enable_batchng'; did you mean --enable_batching?");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--num_load_thread=2"))
                .hasMessageEndingWith("did you mean --num_load_threads?");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--num_load_threads", "4"))
                .hasMessageContaining("--num_load_threads needs a value").hasMessageContaining("--name=value");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--flush_filesystem_caches", "4"))
                .hasMessageContaining("Unexpected argument '4'").hasMessageContaining("--name=value");
        // Values TF Serving's flag parser refuses are refused, though the flags do nothing here.
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--num_load_threads=abc"))
                .hasMessage("--num_load_threads=abc: not an integer (TF Serving's flag is one; it has no effect here)");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--flush_filesystem_caches=maybe"))
                .hasMessageContaining("--flush_filesystem_caches=maybe: not true or false");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--use_alts_credentials"))
                .hasMessageContaining("ALTS").hasMessageContaining("--ssl_config_file");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--mixed_precision=bfloat16"))
                .hasMessageContaining("--mixed_precision=bfloat16: mixed precision is not supported");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--platform_config_file=/p.pbtxt"))
                .hasMessageContaining("platform config file /p.pbtxt");
    }

    @Test
    void aPlatformConfigFileShouldReplaceTheBatchingSessionTagAndWarmupFlagsAsInTfServing(@TempDir final Path dir)
            throws IOException {
        final Path file = Files.writeString(dir.resolve("platform.pbtxt"), """
                platform_configs {
                  key: "tensorflow"
                  value {
                    source_adapter_config {
                      [type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig] {
                        legacy_config {
                          session_config { intra_op_parallelism_threads: 3 }
                          batching_parameters { max_batch_size { value: 16 } num_batch_threads { value: 2 } }
                          saved_model_tags: "serve"
                          saved_model_tags: "gpu"
                        }
                      }
                    }
                  }
                }
                """);
        final ServerConfig config = parse(Map.of(), "--model_base_path=/m", "--platform_config_file=" + file,
                "--tensorflow_intra_op_parallelism=8", "--enable_batching=false");
        assertThat(config.sessionOptions().intraOpParallelism()).as("the flag is ignored").isZero();
        assertThat(config.sessionOptions().baseConfig().getIntraOpParallelismThreads()).isEqualTo(3);
        assertThat(config.sessionOptions().savedModelTags()).containsExactly("serve", "gpu");
        assertThat(config.batching().enabled()).as("batching_parameters turn batching on").isTrue();
        assertThat(config.batching().defaults().maxBatchSize()).isEqualTo(16);
        assertThat(config.modelWarmup()).as("enable_model_warmup is false unless set, as in TF Serving").isFalse();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--platform_config_file=").batching().enabled())
                .as("an empty file name is no platform config").isFalse();
    }

    @Test
    void shouldTakeTfServingsNameForPerModelBatchingParameters() {
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching",
                "--enable_per_model_batching_parameters=true").batching().perModelParams()).isTrue();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching",
                "--enable_per_model_batching_params").batching().perModelParams()).isTrue();
        assertThat(parse(Map.of(), "--model_base_path=/m", "--enable_batching").batching().perModelParams())
                .isFalse();
    }

    @Test
    void sessionParallelismShouldSetBothPoolsOnlyWhenNeitherIsGiven() {
        final SessionOptions both = parse(Map.of(), "--model_base_path=/m", "--tensorflow_session_parallelism=3")
                .sessionOptions();
        assertThat(both.intraOpParallelism()).isEqualTo(3);
        assertThat(both.interOpParallelism()).isEqualTo(3);
        final SessionOptions flags = parse(Map.of(), "--model_base_path=/m", "--tensorflow_session_parallelism=3",
                "--tensorflow_intra_op_parallelism=1", "--tensorflow_inter_op_parallelism=-1").sessionOptions();
        assertThat(flags.intraOpParallelism()).isEqualTo(1);
        assertThat(flags.interOpParallelism()).isEqualTo(-1);
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--tensorflow_session_parallelism=3",
                "--tensorflow_intra_op_parallelism=1", "--tensorflow_inter_op_parallelism=2"))
                .hasMessageContaining("You cannot configure all");
    }

    @Test
    void sessionConfigFileShouldBeTheBaseOfEverySession(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("session.pbtxt");
        Files.writeString(file, """
                intra_op_parallelism_threads: 4
                gpu_options { allow_growth: true }
                """);
        final SessionOptions options = parse(Map.of(), "--model_base_path=/m",
                "--tensorflow_session_config_file=" + file, "--tensorflow_inter_op_parallelism=2").sessionOptions();
        assertThat(options.baseConfig().getIntraOpParallelismThreads()).isEqualTo(4);
        assertThat(options.baseConfig().getGpuOptions().getAllowGrowth()).isTrue();
        assertThat(options.interOpParallelism()).isEqualTo(2);
        Files.writeString(file, "intra_op_threads: 4\n");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--tensorflow_session_config_file=" + file))
                .hasMessageContaining(file.toString()).hasMessageContaining("intra_op_threads");
        // TensorFlow would abort the process on this one, at the first model load.
        Files.writeString(file, "intra_op_parallelism_threads: -2\n");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--tensorflow_session_config_file=" + file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("intra_op_parallelism_threads must be >= 0 (0: TensorFlow's default), got -2");
        // As TensorFlow's own parser: a field given twice is refused, not the last one taken.
        Files.writeString(file, "intra_op_parallelism_threads: 4\nintra_op_parallelism_threads: 8\n");
        assertThatThrownBy(() -> parse(Map.of(), "--model_base_path=/m", "--tensorflow_session_config_file=" + file))
                .hasMessageContaining(file.toString()).hasMessageContaining("intra_op_parallelism_threads");
    }

    @Test
    void versionShouldNameRingserveAndTheTensorFlowLibrary() {
        assertThat(new ServerCommand.Versions().getVersion())
                .containsExactly("ringserve 0.1.0 (TensorFlow Serving compatible)",
                        "TensorFlow Library: " + TensorFlow.version());
        assertThat(TensorFlow.version()).matches("\\d+\\.\\d+.*");
    }

    @Test
    void warmupIterationsShouldBeUsedOnlyWhenPositive() {
        assertThat(parse(Map.of(), "--model_base_path=/m").modelWarmupIterations()).isEqualTo(1);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--num_request_iterations_for_warmup=0")
                .modelWarmupIterations()).isEqualTo(1);
        assertThat(parse(Map.of(), "--model_base_path=/m", "--num_request_iterations_for_warmup=5")
                .modelWarmupIterations()).isEqualTo(5);
    }
}
