package io.ringserve.server.inference;

/**
 * Told how many {@code tf.Example}s each Classify, Regress or MultiInference request fed its model, once the model
 * call succeeded: TF Serving's {@code request_example_counts} and {@code request_example_count_total}, by model.
 * Implementations are thread-safe and never block.
 */
@FunctionalInterface
public interface ExampleCounts {
    /** Records nothing. */
    ExampleCounts NONE = (model, examples) -> { };

    void record(String model, int examples);
}
