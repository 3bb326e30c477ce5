package io.ringserve.server;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One model to serve: its name, the base path holding its integer version directories, and which version.
 *
 * @param name the name clients use in URLs and model specs
 * @param basePath the directory with {@code <version>/saved_model.pb} children
 * @param version the version to serve ({@code --model_config_file}'s {@code specific} policy); empty for the newest
 */
public record ModelConfig(String name, Path basePath, OptionalLong version) {
    /** A model served at its newest version. */
    public ModelConfig(final String name, final Path basePath) {
        this(name, basePath, OptionalLong.empty());
    }

    public ModelConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(basePath, "basePath");
        Objects.requireNonNull(version, "version");
        if (name.isEmpty() || name.contains("/") || name.contains(":")) {
            throw new IllegalArgumentException("model name must be non-empty and hold no '/' or ':': '" + name + "'");
        }
    }
}
