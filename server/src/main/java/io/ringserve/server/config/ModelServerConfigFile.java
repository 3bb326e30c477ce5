package io.ringserve.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

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
 *     model_version_policy { specific { versions: 3 } }
 *   }
 * }
 * </pre>
 *
 * <p>ringserve serves one version per model: the newest (TF Serving's default policy, {@code latest} with one
 * version) or the one version a {@code specific} policy names. What it cannot serve yet is refused with an error that
 * names it, rather than served differently from what the file asks: {@code all}, {@code latest} with more than one
 * version, {@code specific} with several, {@code version_labels}, {@code logging_config},
 * {@code custom_model_config} and platforms other than TensorFlow. Stateless.
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
     * @param version the version a {@code specific} policy names; empty for the newest
     */
    public record Model(String name, Path basePath, OptionalLong version) {
        public Model {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(basePath, "basePath");
            Objects.requireNonNull(version, "version");
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws TextFormatException naming the file and what is wrong with it
     */
    public static List<Model> read(final Path file) {
        return TextFormatFiles.read(file, "model config file", ModelServerConfigFile::parse);
    }

    /** See {@link #read}. */
    public static List<Model> parse(final String text) {
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
        final TextMessage list = config.message("model_config_list").orElseThrow(() ->
                new TextFormatException("ModelServerConfig needs a model_config_list with at least one config"));
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
        if (models.isEmpty()) {
            throw new TextFormatException("model_config_list has no config: there is no model to serve");
        }
        return List.copyOf(models);
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
        if (!entry.values("version_labels").isEmpty()) {
            throw new TextFormatException(where + "version_labels are not supported yet: ringserve serves one "
                    + "version per model; address it by version number or without one");
        }
        if (!entry.values("logging_config").isEmpty()) {
            throw new TextFormatException(where + "logging_config (request logging) is not supported");
        }
        final OptionalLong version = entry.message("model_version_policy")
                .map(policy -> version(where, policy)).orElse(OptionalLong.empty());
        try {
            return new Model(name, Path.of(basePath), version);
        } catch (IllegalArgumentException e) {
            throw new TextFormatException(where + "base_path '" + basePath + "' is not a path: " + e.getMessage());
        }
    }

    /** The version a policy pins; empty for the newest. */
    private static OptionalLong version(final String where, final TextMessage policy) {
        if (policy.fieldNames().size() != 1) {
            throw new TextFormatException(where + "model_version_policy needs exactly one of latest, all, specific");
        }
        final String choice = policy.fieldNames().iterator().next();
        switch (choice) {
            case "latest" -> {
                final String versions = policy.message("latest").orElseThrow().scalar("num_versions").orElse("1");
                if (!versions.equals("1")) {
                    throw new TextFormatException(where + "latest { num_versions: " + versions + " } is not "
                            + "supported yet: ringserve serves one version per model (num_versions: 1)");
                }
                return OptionalLong.empty();
            }
            case "all" -> throw new TextFormatException(where + "the 'all' version policy is not supported yet: "
                    + "ringserve serves one version per model (latest, or specific with one version)");
            case "specific" -> {
                final List<Object> versions = policy.message("specific").orElseThrow().values("versions");
                if (versions.size() != 1 || !(versions.get(0) instanceof String number)) {
                    throw new TextFormatException(where + "specific needs exactly one version (ringserve serves "
                            + "one version per model), got " + versions.size());
                }
                try {
                    final long version = Long.parseLong(number);
                    if (version < 0) {
                        throw new NumberFormatException();
                    }
                    return OptionalLong.of(version);
                } catch (NumberFormatException e) {
                    throw new TextFormatException(where + "specific version '" + number
                            + "' is not a non-negative integer");
                }
            }
            default -> throw new TextFormatException(where + "unknown version policy '" + choice
                    + "' (expected latest, all or specific)");
        }
    }
}
