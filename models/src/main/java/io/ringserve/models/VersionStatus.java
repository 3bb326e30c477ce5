package io.ringserve.models;

import java.util.Objects;
import java.util.Optional;

/**
 * Where one version of a model stands.
 *
 * @param version the integer version (the directory name)
 * @param state its state
 * @param error why it is not available, when loading failed
 * @param errorCode the kind of that failure, as TensorFlow's status codes name it; {@code OK} without one
 */
public record VersionStatus(long version, ModelState state, Optional<String> error, String errorCode) {
    public VersionStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(errorCode, "errorCode");
    }

    /** A status whose failure, if any, is of no known kind ({@code UNKNOWN}). */
    public VersionStatus(final long version, final ModelState state, final Optional<String> error) {
        this(version, state, error, error.isPresent() ? "UNKNOWN" : "OK");
    }
}
