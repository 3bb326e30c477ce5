package io.ringserve.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.ClosePolicy;
import io.ringserve.server.TextMangler;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Mangled config files, made from valid ones by a seeded generator (the same files every run): each is read, or
 * refused with a {@link TextFormatException} or an {@link IllegalArgumentException} that says what is wrong. Any other
 * exception would stop the server with a stack trace instead of a message.
 */
class ConfigFilesFuzzTest {
    private static final String[] TOKENS = {"{", "}", ":", "'", "\"", "#", "\n", "-1", "0", "99999999999999999999",
        "1.5", "true", "nan", "value", "config", "name", "base_path", "model_version_policy", "specific",
        "versions", "latest", "num_versions", "all", "version_labels", "key", "<", ">", "[", "]", ",", "\\", "\\x",
        "max_batch_size", "allowed_batch_sizes", "batch_timeout_micros", "ssl", "client_verify", "prometheus_config",
        "session_config", "legacy_config", "[type.googleapis.com/x]", "intra_op_parallelism_threads", "tensorflow"};

    private static final String MODELS = """
            model_config_list {
              config {
                name: 'a'
                base_path: '/models/a'
                model_platform: 'tensorflow'
                model_version_policy { specific { versions: 1 versions: 2 } }
                version_labels { key: 'stable' value: 1 }
              }
              config { name: "b" base_path: "/models/b" model_version_policy { latest { num_versions: 2 } } }
            }
            """;
    private static final String BATCHING = """
            max_batch_size { value: 64 }
            batch_timeout_micros { value: 1000 }
            max_enqueued_batches { value: 10 }
            num_batch_threads { value: 2 }
            allowed_batch_sizes: 16
            allowed_batch_sizes: 64
            enable_large_batch_splitting { value: true }
            max_execution_batch_size { value: 32 }
            """;
    private static final String MONITORING = """
            prometheus_config { enable: true, path: "/monitoring/prometheus/metrics" }
            """;
    private static final String PLATFORM = """
            platform_configs {
              key: "tensorflow"
              value {
                source_adapter_config {
                  [type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig] {
                    legacy_config {
                      session_config { intra_op_parallelism_threads: 2 gpu_options { allow_growth: true } }
                      batching_parameters { max_batch_size { value: 64 } batch_timeout_micros { value: 100 } }
                      saved_model_tags: "serve"
                      enable_model_warmup: true
                      model_warmup_options { num_request_iterations { value: 2 } }
                    }
                  }
                }
              }
            }
            """;
    private static final String SSL = """
            server_key: "k" server_cert: "c" custom_ca: "" client_verify: false
            """;

    @Test
    void shouldReadOrRefuseEveryMangledConfigFileWithAMessage() {
        final List<Case> cases = List.of(
                new Case(MODELS, ModelServerConfigFile::parse),
                new Case(BATCHING, text -> BatchingParametersFile.parse(text, ClosePolicy.ADAPTIVE)),
                new Case(MONITORING, MonitoringConfigFile::parse),
                new Case(SSL, SslConfig::parse),
                new Case(PLATFORM, text -> PlatformConfigFile.parse(text, ClosePolicy.ADAPTIVE)));
        final Random random = new Random(20261130);
        int read = 0;
        for (int i = 0; i < 10_000; i++) {
            final Case file = cases.get(random.nextInt(cases.size()));
            final String text = TextMangler.mangle(file.valid(), random, TOKENS, true);
            try {
                file.parser().accept(text);
                read++;
            } catch (TextFormatException | IllegalArgumentException e) {
                assertThat(e.getMessage()).as("the message for %s", text).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("file " + text + ": " + e, e);
            }
        }
        assertThat(read).as("the generator keeps some files readable").isBetween(100, 9900);
    }

    private record Case(String valid, Consumer<String> parser) {
    }
}
