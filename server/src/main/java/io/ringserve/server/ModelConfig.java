package io.ringserve.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One model to serve: its name and the base path holding its integer version directories.
 *
 * @param name the name clients use in URLs and model specs
 * @param basePath the directory with {@code <version>/saved_model.pb} children
 */
public record ModelConfig(String name, Path basePath) {
    public ModelConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(basePath, "basePath");
        if (name.isEmpty() || name.contains("/") || name.contains(":")) {
            throw new IllegalArgumentException("model name must be non-empty and hold no '/' or ':': '" + name + "'");
        }
    }
}
