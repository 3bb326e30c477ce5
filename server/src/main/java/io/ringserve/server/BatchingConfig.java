package io.ringserve.server;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.models.LoadedModel;
import io.ringserve.server.config.BatchingParametersFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Whether and how requests are batched: {@code --enable_batching}, the options from
 * {@code --batching_parameters_file} (TF Serving's defaults without one), and with
 * {@code --enable_per_model_batching_params} a model version's own
 * {@code assets.extra/batching_params.pbtxt}, which then wins for that model.
 *
 * @param enabled whether requests go through the micro-batcher at all
 * @param defaults the options of every model without its own file
 * @param perModelParams whether a model's own {@code assets.extra/batching_params.pbtxt} is read
 */
public record BatchingConfig(boolean enabled, BatchingOptions defaults, boolean perModelParams) {
    /** The file name TF Serving reads per model, under the version's {@code assets.extra/}. */
    public static final String PER_MODEL_FILE = "batching_params.pbtxt";

    /** Batching off. */
    public static final BatchingConfig DISABLED = new BatchingConfig(false, BatchingOptions.builder().build(), false);

    public BatchingConfig {
        Objects.requireNonNull(defaults, "defaults");
    }

    /** The options of one model version. */
    public BatchingOptions optionsFor(final LoadedModel model) {
        if (perModelParams) {
            final Path own = model.directory().resolve("assets.extra").resolve(PER_MODEL_FILE);
            if (Files.isRegularFile(own)) {
                return BatchingParametersFile.read(own, defaults.closePolicy());
            }
        }
        return defaults;
    }
}
