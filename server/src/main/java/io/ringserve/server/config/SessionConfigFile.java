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
            TextFormat.merge(text, config);
        } catch (TextFormat.ParseException e) {
            throw new TextFormatException("not a ConfigProto: " + e.getMessage());
        }
        return config.build();
    }
}
