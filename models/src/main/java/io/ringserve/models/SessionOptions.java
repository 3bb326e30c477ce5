package io.ringserve.models;

/**
 * How TensorFlow sessions are configured, from TF Serving's flags.
 *
 * @param intraOpParallelism threads used inside one op ({@code --tensorflow_intra_op_parallelism}); 0 lets
 *     TensorFlow choose
 * @param interOpParallelism threads used to run independent ops ({@code --tensorflow_inter_op_parallelism}); 0
 *     lets TensorFlow choose; a negative value runs every op in the thread that calls {@code Session.run}, as
 *     TensorFlow's {@code ConfigProto} defines it
 */
public record SessionOptions(int intraOpParallelism, int interOpParallelism) {
    /** TensorFlow's own defaults. */
    public static final SessionOptions DEFAULTS = new SessionOptions(0, 0);

    public SessionOptions {
        if (intraOpParallelism < 0) {
            throw new IllegalArgumentException("intra-op thread count must be >= 0, got " + intraOpParallelism);
        }
    }
}
