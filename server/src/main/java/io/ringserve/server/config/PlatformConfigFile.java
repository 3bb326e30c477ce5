package io.ringserve.server.config;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;

/**
 * TF Serving's {@code --platform_config_file}: a {@code PlatformConfigMap} in text format that says how the
 * {@code tensorflow} platform loads and runs SavedModels, in place of the flags that otherwise do (batching, session
 * configuration, tags, warm-up), e.g.
 *
 * <pre>
 * platform_configs {
 *   key: "tensorflow"
 *   value {
 *     source_adapter_config {
 *       [type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig] {
 *         legacy_config {
 *           session_config { intra_op_parallelism_threads: 4 gpu_options { allow_growth: true } }
 *           batching_parameters { max_batch_size { value: 64 } batch_timeout_micros { value: 1000 } }
 *         }
 *       }
 *     }
 *   }
 * }
 * </pre>
 *
 * <p>The {@code SessionBundleConfig} ({@code legacy_config} of {@code SavedModelBundleSourceAdapterConfig}, or
 * {@code config} of the older {@code SessionBundleSourceAdapterConfig}) is read as TF Serving reads it:
 * {@code session_config} (TensorFlow's {@code ConfigProto}, every field), {@code batching_parameters} (batching is on
 * when present), {@code enable_per_model_batching_params}, {@code saved_model_tags}, {@code enable_model_warmup} and
 * {@code model_warmup_options.num_request_iterations}. Fields that tune what ringserve does not have are accepted and
 * logged; fields that would change what a model computes or where it runs (fixed input tensors, mixed precision, a
 * remote session target, TensorFlow Lite) are refused, and so are other platforms than {@code tensorflow}. Stateless.
 */
public final class PlatformConfigFile {
    private static final Logger LOG = LoggerFactory.getLogger(PlatformConfigFile.class);
    private static final String PLATFORM = "tensorflow";
    /** The Any types whose message holds a SessionBundleConfig, and the field that holds it. */
    private static final Map<String, String> ADAPTER_CONFIGS = Map.of(
            "tensorflow.serving.SavedModelBundleSourceAdapterConfig", "legacy_config",
            "tensorflow.serving.SessionBundleSourceAdapterConfig", "config");
    private static final Set<String> NO_EFFECT = Set.of("session_run_load_threadpool_index",
            "experimental_transient_ram_bytes_during_load", "enable_session_metadata",
            "remove_unused_fields_from_bundle_metagraph", "num_tflite_interpreters", "num_tflite_interpreters_per_pool",
            "num_tflite_pools", "resource_estimation_uses_validation_result", "wrap_session_with_no_threading_params");

    private PlatformConfigFile() {
    }

    /**
     * What the {@code tensorflow} platform's SessionBundleConfig asks for; empty where it says nothing.
     *
     * @param sessionConfig {@code session_config}
     * @param batching {@code batching_parameters}: batching on with these
     * @param perModelBatchingParams {@code enable_per_model_batching_params}
     * @param savedModelTags {@code saved_model_tags}; empty: TF Serving's default, {@code serve}
     * @param modelWarmup {@code enable_model_warmup} (false unless set, as in TF Serving's proto)
     * @param warmupIterations {@code model_warmup_options.num_request_iterations}
     */
    public record TensorFlowPlatform(Optional<ConfigProto> sessionConfig, Optional<BatchingOptions> batching,
                                     boolean perModelBatchingParams, List<String> savedModelTags, boolean modelWarmup,
                                     OptionalInt warmupIterations) {
        public TensorFlowPlatform {
            savedModelTags = List.copyOf(savedModelTags);
        }
    }

    /**
     * Reads and converts {@code file}; errors name the file.
     *
     * @param policy how batches close (ringserve's {@code --batching_close_policy})
     */
    public static TensorFlowPlatform read(final Path file, final ClosePolicy policy) {
        return TextFormatFiles.read(file, "platform config file", text -> parse(text, policy));
    }

    /** Converts the text of a PlatformConfigMap; see {@link #read}. */
    public static TensorFlowPlatform parse(final String text, final ClosePolicy policy) {
        final TextMessage map = TextFormatParser.parse(text);
        requireOnly(map, Set.of("platform_configs"), "PlatformConfigMap");
        TextMessage platform = null;
        for (TextMessage entry : map.messages("platform_configs")) {
            final String key = entry.scalar("key").orElse("");
            if (!key.equals(PLATFORM)) {
                throw new TextFormatException("platform '" + key + "': ringserve serves the '" + PLATFORM
                        + "' platform (SavedModels) only");
            }
            platform = entry.message("value").orElseThrow(() -> new TextFormatException(
                    "platform '" + PLATFORM + "' has no value { source_adapter_config { ... } }"));
        }
        if (platform == null) {
            throw new TextFormatException("no platform_configs entry with key \"" + PLATFORM + "\"");
        }
        requireOnly(platform, Set.of("source_adapter_config"), "PlatformConfig");
        final TextMessage adapter = platform.message("source_adapter_config").orElseThrow(() ->
                new TextFormatException("platform '" + PLATFORM + "' has no source_adapter_config"));
        if (adapter.fieldNames().size() != 1) {
            throw new TextFormatException("source_adapter_config must hold one [type.googleapis.com/...] { ... }, "
                    + "got " + adapter.fieldNames());
        }
        final String anyName = adapter.fieldNames().iterator().next();
        final String type = anyName.startsWith("[") && anyName.contains("/")
                ? anyName.substring(anyName.lastIndexOf('/') + 1, anyName.length() - 1) : anyName;
        final String configField = ADAPTER_CONFIGS.get(type);
        if (configField == null) {
            throw new TextFormatException("source_adapter_config " + anyName + " is not supported; ringserve reads "
                    + "tensorflow.serving.SavedModelBundleSourceAdapterConfig (legacy_config) and "
                    + "tensorflow.serving.SessionBundleSourceAdapterConfig (config)");
        }
        final TextMessage adapterConfig = adapter.message(anyName).orElseThrow();
        requireOnly(adapterConfig, Set.of(configField), type);
        return sessionBundleConfig(adapterConfig.message(configField)
                .orElseThrow(() -> new TextFormatException(type + " has no " + configField)), policy);
    }

    private static TensorFlowPlatform sessionBundleConfig(final TextMessage config, final ClosePolicy policy) {
        Optional<ConfigProto> session = Optional.empty();
        Optional<BatchingOptions> batching = Optional.empty();
        boolean perModel = false;
        final List<String> tags = new ArrayList<>();
        boolean warmup = false;
        OptionalInt iterations = OptionalInt.empty();
        for (String field : config.fieldNames()) {
            switch (field) {
                case "session_config" -> session = Optional.of(SessionConfigFile.parse(
                        config.message(field).orElseThrow().text()));
                case "batching_parameters" -> batching = Optional.of(BatchingParametersFile.parse(
                        config.message(field).orElseThrow().text(), policy));
                case "enable_per_model_batching_params" -> perModel = config.bool(field, false);
                case "saved_model_tags" -> config.values(field).forEach(tag -> tags.add(String.valueOf(tag)));
                case "enable_model_warmup" -> warmup = config.bool(field, false);
                case "model_warmup_options" -> iterations = warmupIterations(config.message(field).orElseThrow());
                case "session_target" -> refuseUnless(config, field, "", "a remote session target");
                case "prefer_tflite_model" -> refuseUnless(config, field, "false", "TensorFlow Lite models");
                case "mixed_precision" -> refuseUnless(config, field, "", "mixed precision (it changes the answers)");
                case "experimental_fixed_input_tensors" -> throw new TextFormatException(
                        "SessionBundleConfig.experimental_fixed_input_tensors is not supported: it adds inputs to "
                                + "every request");
                default -> {
                    if (!NO_EFFECT.contains(field)) {
                        throw new TextFormatException("unknown field '" + field + "' in SessionBundleConfig");
                    }
                    LOG.info("SessionBundleConfig.{} has no effect in ringserve", field);
                }
            }
        }
        return new TensorFlowPlatform(session, batching, perModel, tags, warmup, iterations);
    }

    private static OptionalInt warmupIterations(final TextMessage options) {
        requireOnly(options, Set.of("num_request_iterations", "num_model_warmup_threads", "model_name",
                "model_version"), "ModelWarmupOptions");
        final Optional<TextMessage> wrapped = options.values("num_request_iterations").isEmpty()
                ? Optional.empty() : options.message("num_request_iterations");
        if (wrapped.isEmpty()) {
            return OptionalInt.empty();
        }
        final String value = wrapped.get().scalar("value").orElse("0");
        try {
            final int iterations = Integer.parseInt(value);
            if (iterations < 1) {
                throw new TextFormatException("model_warmup_options.num_request_iterations must be >= 1, got "
                        + value);
            }
            return OptionalInt.of(iterations);
        } catch (NumberFormatException e) {
            throw new TextFormatException("model_warmup_options.num_request_iterations must be an integer, got '"
                    + value + "'");
        }
    }

    /** {@code field} may only hold its default, {@code allowed}; anything else asks for what ringserve lacks. */
    private static void refuseUnless(final TextMessage config, final String field, final String allowed,
                                     final String what) {
        final String value = config.scalar(field).orElse(allowed);
        if (!value.equals(allowed)) {
            throw new TextFormatException("SessionBundleConfig." + field + " '" + value + "' is not supported: "
                    + "ringserve has no " + what);
        }
    }

    private static void requireOnly(final TextMessage message, final Set<String> fields, final String type) {
        for (String field : message.fieldNames()) {
            if (!fields.contains(field)) {
                throw new TextFormatException("unknown field '" + field + "' in " + type);
            }
        }
    }
}
