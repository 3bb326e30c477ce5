package io.ringserve.models;

import java.util.List;
import java.util.Objects;
import org.tensorflow.proto.ConfigProto;

/**
 * How TensorFlow sessions are configured and SavedModels loaded, from TF Serving's flags.
 *
 * @param intraOpParallelism threads used inside one op ({@code --tensorflow_intra_op_parallelism}); 0 lets
 *     TensorFlow choose
 * @param interOpParallelism threads used to run independent ops ({@code --tensorflow_inter_op_parallelism}); 0
 *     lets TensorFlow choose; a negative value runs every op in the thread that calls {@code Session.run}, as
 *     TensorFlow's {@code ConfigProto} defines it
 * @param gpuMemoryFraction the share of each GPU's memory a session may take
 *     ({@code --per_process_gpu_memory_fraction}, 0 to 1); 0 leaves TensorFlow's default. No effect on CPU
 * @param savedModelTags the MetaGraph tags to load ({@code --saved_model_tags}); TF Serving's default is
 *     {@code serve}
 * @param baseConfig the session configuration the fields above are applied to
 *     ({@code --tensorflow_session_config_file}): a thread count or GPU share that is 0 here leaves the base's
 */
public record SessionOptions(int intraOpParallelism, int interOpParallelism, double gpuMemoryFraction,
                             List<String> savedModelTags, ConfigProto baseConfig) {
    /** TensorFlow's own defaults, and the {@code serve} tag. */
    public static final SessionOptions DEFAULTS = new SessionOptions(0, 0);

    /** Threading only: TensorFlow's default GPU memory share, the {@code serve} tag. */
    public SessionOptions(final int intraOpParallelism, final int interOpParallelism) {
        this(intraOpParallelism, interOpParallelism, 0, List.of(SavedModelLoader.SERVE_TAG));
    }

    /** No base configuration: TensorFlow's defaults under the fields given. */
    public SessionOptions(final int intraOpParallelism, final int interOpParallelism, final double gpuMemoryFraction,
                          final List<String> savedModelTags) {
        this(intraOpParallelism, interOpParallelism, gpuMemoryFraction, savedModelTags,
                ConfigProto.getDefaultInstance());
    }

    public SessionOptions {
        if (intraOpParallelism < 0) {
            throw new IllegalArgumentException("--tensorflow_intra_op_parallelism (the intra-op thread count) must be "
                    + ">= 0, got " + intraOpParallelism);
        }
        if (!(gpuMemoryFraction >= 0 && gpuMemoryFraction <= 1)) {
            throw new IllegalArgumentException("--per_process_gpu_memory_fraction must be between 0 and 1, got "
                    + gpuMemoryFraction);
        }
        Objects.requireNonNull(baseConfig, "baseConfig");
        savedModelTags = List.copyOf(savedModelTags);
        if (savedModelTags.isEmpty() || savedModelTags.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("--saved_model_tags needs tags that are not empty, got "
                    + savedModelTags);
        }
    }
}
