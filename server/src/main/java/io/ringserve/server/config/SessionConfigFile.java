package io.ringserve.server.config;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import org.tensorflow.proto.ConfigProto;

/**
 * TF Serving's {@code --tensorflow_session_config_file}: a TensorFlow {@code ConfigProto} in text format, the session
 * configuration of every model, e.g.
 *
 * <pre>
 * intra_op_parallelism_threads: 4
 * inter_op_parallelism_threads: 2
 * gpu_options { allow_growth: true }
 * </pre>
 *
 * <p>Read with protobuf's own text-format parser against TensorFlow's {@code ConfigProto}, so every field TensorFlow
 * has is taken, and a field it does not have is an error naming it and its line. Stateless.
 */
public final class SessionConfigFile {
    private SessionConfigFile() {
    }

    /**
     * The configuration in {@code file}.
     *
     * @throws TextFormatException naming the file when it cannot be read or is not a ConfigProto in text format
     */
    public static ConfigProto read(final Path file) {
        return TextFormatFiles.read(file, "TensorFlow session config file", SessionConfigFile::parse);
    }

    /** See {@link #read}. */
    public static ConfigProto parse(final String text) {
        final ConfigProto.Builder config = ConfigProto.newBuilder();
        try {
            // As TensorFlow's C++ parser: a singular field given twice is an error, not the last one winning.
            TextFormat.Parser.newBuilder()
                    .setSingularOverwritePolicy(TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
                    .build().merge(text, config);
        } catch (TextFormat.ParseException e) {
            throw new TextFormatException("not a ConfigProto: " + e.getMessage());
        }
        // TensorFlow aborts the process (a failed CHECK) on a negative intra-op or pool thread count.
        requireThreads("intra_op_parallelism_threads", config.getIntraOpParallelismThreads());
        for (int i = 0; i < config.getSessionInterOpThreadPoolCount(); i++) {
            requireThreads("session_inter_op_thread_pool[" + i + "].num_threads",
                    config.getSessionInterOpThreadPool(i).getNumThreads());
        }
        return config.build();
    }

    private static void requireThreads(final String field, final int threads) {
        if (threads < 0) {
            throw new TextFormatException(field + " must be >= 0 (0: TensorFlow's default), got " + threads);
        }
    }
}
