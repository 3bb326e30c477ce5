package io.ringserve.models;

/**
 * Runs requests through a version just loaded, before it serves: TF Serving's model warm-up, so that the first
 * clients do not pay for TensorFlow's lazy initialisation (kernel selection, memory pools, oneDNN primitives).
 */
@FunctionalInterface
public interface VersionWarmup {
    /** No warm-up. */
    VersionWarmup NONE = model -> { };

    /**
     * Warms {@code model} up; blocks until done. Called once per version, on the loading thread, before the version
     * is marked available.
     *
     * @throws ModelLoadException when the warm-up cannot run or a request of it fails: the version does not serve
     */
    void warmUp(LoadedModel model);
}
