package io.ringserve.server.config;

import io.ringserve.models.VersionPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * TF Serving's {@code ModelServerConfig} text file ({@code --model_config_file}): the models to serve.
 *
 * <pre>
 * model_config_list {
 *   config {
 *     name: "half_plus_two"
 *     base_path: "/models/half_plus_two"
 *     model_platform: "tensorflow"
 *   }
 *   config {
 *     name: "resnet"
 *     base_path: "/models/resnet"
 *     model_version_policy { specific { versions: 3 versions: 4 } }
 *     version_labels { key: "stable" value: 3 }
 *     version_labels { key: "canary" value: 4 }
 *   }
 * }
 * </pre>
 *
 * <p>Version policies as TF Serving's ({@code latest { num_versions }}, {@code all}, {@code specific { versions }};
 * none means the newest version) and version labels. A label must name a version its model's policy may serve (for
 * {@code specific}, one of its versions). What ringserve does not serve is refused with an error that names it,
 * rather than served differently from what the file asks: {@code logging_config}, {@code custom_model_config} and
 * platforms other than TensorFlow. Stateless.
 */
public final class ModelServerConfigFile {
    private static final Set<String> MODEL_FIELDS = Set.of("name", "base_path", "model_platform", "model_type",
            "model_version_policy", "version_labels", "logging_config");

    private ModelServerConfigFile() {
    }

    /**
     * One model of the file.
     *
     * @param name the model's name
     * @param basePath the directory with its version directories
     * @param versions which versions to serve
     * @param labels version labels, label to version, in file order
     */
    public record Model(String name, Path basePath, VersionPolicy versions, Map<String, Long> labels) {
        public Model {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(basePath, "basePath");
            Objects.requireNonNull(versions, "versions");
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    /**
     * Reads {@code file}: the models to serve, exactly (none for an empty {@code model_config_list}); empty when the
     * file sets no config at all (an empty file), for which TF Serving takes no action.
     *
     * @throws TextFormatException naming the file and what is wrong with it
     */
    public static Optional<List<Model>> read(final Path file) {
        return TextFormatFiles.read(file, "model config file", ModelServerConfigFile::parse);
    }

    /** See {@link #read}. */
    public static Optional<List<Model>> parse(final String text) {
        final TextMessage config = TextFormatParser.parse(text);
        for (String field : config.fieldNames()) {
            if (field.equals("custom_model_config")) {
                throw new TextFormatException("custom_model_config is not supported: list the models in "
                        + "model_config_list");
            }
            if (!field.equals("model_config_list")) {
                throw new TextFormatException("unknown field '" + field + "' in ModelServerConfig (expected "
                        + "model_config_list)");
            }
        }
        final Optional<TextMessage> configured = config.message("model_config_list");
        if (configured.isEmpty()) {
            return Optional.empty();
        }
        final TextMessage list = configured.get();
        for (String field : list.fieldNames()) {
            if (!field.equals("config")) {
                throw new TextFormatException("unknown field '" + field + "' in model_config_list (expected config)");
            }
        }
        final List<Model> models = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        for (TextMessage entry : list.messages("config")) {
            final Model model = model(entry);
            if (!names.add(model.name())) {
                throw new TextFormatException("model '" + model.name() + "' is configured twice");
            }
            models.add(model);
        }
        return Optional.of(List.copyOf(models));
    }

    private static Model model(final TextMessage entry) {
        for (String field : entry.fieldNames()) {
            if (!MODEL_FIELDS.contains(field)) {
                throw new TextFormatException("unknown field '" + field + "' in a model config (expected one of "
                        + String.join(", ", MODEL_FIELDS.stream().sorted().toList()) + ")");
            }
        }
        final String name = entry.scalar("name").orElse("");
        if (name.isEmpty()) {
            throw new TextFormatException("a model config has no name");
        }
        final String where = "model '" + name + "': ";
        final String basePath = entry.scalar("base_path").orElse("");
        if (basePath.isEmpty()) {
            throw new TextFormatException(where + "base_path is missing");
        }
        final String platform = entry.scalar("model_platform").orElse("tensorflow");
        if (!platform.equals("tensorflow")) {
            throw new TextFormatException(where + "model_platform '" + platform + "' is not served: ringserve "
                    + "serves TensorFlow SavedModels (model_platform: \"tensorflow\")");
        }
        final String type = entry.scalar("model_type").orElse("TENSORFLOW");
        if (!type.equals("TENSORFLOW")) {
            throw new TextFormatException(where + "model_type " + type + " is not served (TENSORFLOW only)");
        }
        if (!entry.values("logging_config").isEmpty()) {
            throw new TextFormatException(where + "logging_config (request logging) is not supported");
        }
        final VersionPolicy versions = entry.message("model_version_policy")
                .map(policy -> policy(where, policy)).orElse(VersionPolicy.NEWEST);
        final Map<String, Long> labels = labels(where, entry.messages("version_labels"), versions);
        final Path path;
        try {
            path = Path.of(basePath);
        } catch (IllegalArgumentException e) {
            throw new TextFormatException(where + "base_path '" + basePath + "' is not a path: " + e.getMessage());
        }
        return new Model(name, path, versions, labels);
    }

    /** The {@code version_labels} map entries; a label must be unique and name a version the policy may serve. */
    private static Map<String, Long> labels(final String where, final List<TextMessage> entries,
                                            final VersionPolicy versions) {
        final Map<String, Long> labels = new LinkedHashMap<>();
        for (TextMessage entry : entries) {
            for (String field : entry.fieldNames()) {
                if (!field.equals("key") && !field.equals("value")) {
                    throw new TextFormatException(where + "unknown field '" + field + "' in version_labels "
                            + "(expected key and value)");
                }
            }
            final String label = entry.scalar("key").orElse("");
            if (label.isEmpty()) {
                throw new TextFormatException(where + "a version label has no key");
            }
            final long version = nonNegative(where, "version_labels '" + label + "' value",
                    entry.scalar("value").orElseThrow(() -> new TextFormatException(where + "version label '"
                            + label + "' has no value")));
            if (versions instanceof VersionPolicy.Specific specific && !specific.versions().contains(version)) {
                throw new TextFormatException(where + "version label '" + label + "' names version " + version
                        + ", which model_version_policy specific " + new TreeSet<>(specific.versions())
                        + " does not serve");
            }
            if (labels.put(label, version) != null) {
                throw new TextFormatException(where + "version label '" + label + "' is given twice");
            }
        }
        return labels;
    }

    /**
     * The {@code model_version_policy}: one of latest, all, specific; none set ({@code model_version_policy {}}) is
     * latest, as in TF Serving.
     */
    private static VersionPolicy policy(final String where, final TextMessage policy) {
        if (policy.fieldNames().isEmpty()) {
            return VersionPolicy.NEWEST;
        }
        if (policy.fieldNames().size() != 1) {
            throw new TextFormatException(where + "model_version_policy needs exactly one of latest, all, specific");
        }
        final String choice = policy.fieldNames().iterator().next();
        final TextMessage chosen = policy.message(choice).orElseThrow();
        switch (choice) {
            case "latest" -> {
                final long versions = nonNegative(where, "latest num_versions",
                        chosen.scalar("num_versions").orElse("1"));
                // TF Serving serves at least one: num_versions 0 (the proto's default) is 1.
                return new VersionPolicy.Latest((int) Math.max(1, Math.min(versions, Integer.MAX_VALUE)));
            }
            case "all" -> {
                return new VersionPolicy.All();
            }
            case "specific" -> {
                final Set<Long> versions = new LinkedHashSet<>();
                for (Object value : chosen.values("versions")) {
                    if (!(value instanceof String number)) {
                        throw new TextFormatException(where + "specific versions must be numbers");
                    }
                    versions.add(nonNegative(where, "specific version", number));
                }
                if (versions.isEmpty()) {
                    throw new TextFormatException(where + "specific needs at least one version");
                }
                return new VersionPolicy.Specific(versions);
            }
            default -> throw new TextFormatException(where + "unknown version policy '" + choice
                    + "' (expected latest, all or specific)");
        }
    }

    private static long nonNegative(final String where, final String what, final String number) {
        try {
            final long value = Long.parseLong(number);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Named below.
        }
        throw new TextFormatException(where + what + " '" + number + "' is not a non-negative integer");
    }
}
