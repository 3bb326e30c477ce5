package io.ringserve.models;

import java.nio.file.Path;

/**
 * Told of every attempt to load a version's SavedModel, as TensorFlow's loader counts them in its own metrics
 * ({@code /tensorflow/cc/saved_model/load_attempt_count}, {@code load_latency}): the version directory, whether the
 * SavedModel loaded (its warm-up aside), and how long loading took. Called on the loading thread; must not block.
 */
@FunctionalInterface
public interface LoadAttempts {
    /** Counts nothing. */
    LoadAttempts NONE = (directory, success, nanos) -> { };

    void attempted(Path directory, boolean success, long nanos);
}
