package io.ringserve.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.batching.ClosePolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** TF Serving's PlatformConfigMap: the tensorflow platform's SessionBundleConfig, read as TF Serving reads it. */
class PlatformConfigFileTest {
    private static String platform(final String adapterType, final String configField, final String config) {
        return """
                platform_configs {
                  key: "tensorflow"
                  value {
                    source_adapter_config {
                      [type.googleapis.com/%s] {
                        %s { %s }
                      }
                    }
                  }
                }
                """.formatted(adapterType, configField, config);
    }

    private static PlatformConfigFile.TensorFlowPlatform parse(final String config) {
        return PlatformConfigFile.parse(platform("tensorflow.serving.SavedModelBundleSourceAdapterConfig",
                "legacy_config", config), ClosePolicy.TIMEOUT);
    }

    @Test
    void shouldReadTheSessionBundleConfigOfTheTensorflowPlatform() {
        final PlatformConfigFile.TensorFlowPlatform platform = parse("""
                session_config {
                  intra_op_parallelism_threads: 4
                  inter_op_parallelism_threads: -1
                  gpu_options { allow_growth: true visible_device_list: "0" }
                }
                batching_parameters {
                  max_batch_size { value: 64 }
                  batch_timeout_micros { value: 1000 }
                  num_batch_threads { value: 2 }
                }
                enable_per_model_batching_params: true
                saved_model_tags: "serve"
                enable_model_warmup: true
                model_warmup_options { num_request_iterations { value: 3 } }
                session_run_load_threadpool_index { value: 0 }
                """);
        assertThat(platform.sessionConfig().orElseThrow().getIntraOpParallelismThreads()).isEqualTo(4);
        assertThat(platform.sessionConfig().orElseThrow().getInterOpParallelismThreads()).isEqualTo(-1);
        assertThat(platform.sessionConfig().orElseThrow().getGpuOptions().getAllowGrowth()).isTrue();
        assertThat(platform.sessionConfig().orElseThrow().getGpuOptions().getVisibleDeviceList()).isEqualTo("0");
        assertThat(platform.batching().orElseThrow().maxBatchSize()).isEqualTo(64);
        assertThat(platform.batching().orElseThrow().batchTimeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(platform.batching().orElseThrow().numBatchThreads()).isEqualTo(2);
        assertThat(platform.perModelBatchingParams()).isTrue();
        assertThat(platform.savedModelTags()).containsExactly("serve");
        assertThat(platform.modelWarmup()).isTrue();
        assertThat(platform.warmupIterations()).hasValue(3);
    }

    @Test
    void shouldLeaveWhatTheConfigDoesNotSayAtTfServingsProtoDefaults() {
        final PlatformConfigFile.TensorFlowPlatform platform = parse("");
        assertThat(platform.sessionConfig()).isEmpty();
        assertThat(platform.batching()).as("no batching_parameters: no batching").isEmpty();
        assertThat(platform.savedModelTags()).isEmpty();
        assertThat(platform.modelWarmup()).isFalse();
        assertThat(platform.warmupIterations()).isEmpty();
    }

    @Test
    void shouldReadTheOlderSessionBundleAdapterToo() {
        final PlatformConfigFile.TensorFlowPlatform platform = PlatformConfigFile.parse(platform(
                "tensorflow.serving.SessionBundleSourceAdapterConfig", "config",
                "batching_parameters { max_batch_size { value: 8 } }"), ClosePolicy.ADAPTIVE);
        assertThat(platform.batching().orElseThrow().maxBatchSize()).isEqualTo(8);
    }

    @Test
    void shouldRefuseWhatItCannotServeNamingIt() {
        assertThatThrownBy(() -> PlatformConfigFile.parse(
                "platform_configs { key: \"tensorflow_lite\" value { } }", ClosePolicy.ADAPTIVE))
                .hasMessage("platform 'tensorflow_lite': ringserve serves the 'tensorflow' platform (SavedModels) "
                        + "only");
        assertThatThrownBy(() -> PlatformConfigFile.parse("", ClosePolicy.ADAPTIVE))
                .hasMessage("no platform_configs entry with key \"tensorflow\"");
        assertThatThrownBy(() -> PlatformConfigFile.parse(platform("tensorflow.serving.Other", "x", ""),
                ClosePolicy.ADAPTIVE))
                .hasMessageContaining("[type.googleapis.com/tensorflow.serving.Other] is not supported");
        assertThatThrownBy(() -> parse("mixed_precision: \"bfloat16\""))
                .hasMessageContaining("mixed_precision 'bfloat16' is not supported");
        assertThatThrownBy(() -> parse("experimental_fixed_input_tensors { }"))
                .hasMessageContaining("experimental_fixed_input_tensors is not supported");
        assertThatThrownBy(() -> parse("session_target: \"grpc://elsewhere:2222\""))
                .hasMessageContaining("a remote session target");
        assertThatThrownBy(() -> parse("batching_paramters { }"))
                .hasMessage("unknown field 'batching_paramters' in SessionBundleConfig");
        assertThatThrownBy(() -> parse("session_config { intra_op_threads: 1 }"))
                .hasMessageContaining("not a ConfigProto").hasMessageContaining("intra_op_threads");
        assertThatThrownBy(() -> parse("batching_parameters { max_batch_size { value: 0 } }"))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> parse("model_warmup_options { num_request_iterations { value: 0 } }"))
                .hasMessageContaining("num_request_iterations must be >= 1");
    }
}
