package io.ringserve.models;

import java.util.Objects;
import java.util.Optional;

/**
 * Where one version of a model stands.
 *
 * @param version the integer version (the directory name)
 * @param state its state
 * @param error why it is not available, when loading failed
 */
public record VersionStatus(long version, ModelState state, Optional<String> error) {
    public VersionStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(error, "error");
    }
}
