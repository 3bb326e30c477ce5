package io.ringserve.server;

import io.ringserve.models.VersionPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * One model to serve: its name, the base path holding its integer version directories, which versions, and the labels
 * clients may address versions by.
 *
 * @param name the name clients use in URLs and model specs
 * @param basePath the directory with {@code <version>/saved_model.pb} children
 * @param versions which versions to serve ({@code --model_config_file}'s {@code model_version_policy})
 * @param labels version labels ({@code version_labels}), label to version
 */
public record ModelConfig(String name, Path basePath, VersionPolicy versions, Map<String, Long> labels) {
    /** A model served at its newest version, without labels. */
    public ModelConfig(final String name, final Path basePath) {
        this(name, basePath, VersionPolicy.NEWEST, Map.of());
    }

    public ModelConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(basePath, "basePath");
        Objects.requireNonNull(versions, "versions");
        labels = Map.copyOf(labels);
        if (name.isEmpty() || name.contains("/") || name.contains(":")) {
            throw new IllegalArgumentException("model name must be non-empty and hold no '/' or ':': '" + name + "'");
        }
    }
}
