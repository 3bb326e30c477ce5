package io.ringserve.server.inference;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * KServe V2's model repository extension ({@code POST /v2/repository/models/{m}/load|unload},
 * {@code POST /v2/repository/index}, gRPC {@code RepositoryModelLoad|Unload}): the models of the server's model
 * repository, loaded and unloaded by name while it runs, as KServe's multi-model serving and Triton's explicit model
 * control do. Thread-safe; nothing blocks: answers come in futures.
 */
public interface ModelRepositoryApi {
    /** The extension's name in the V2 server metadata's {@code extensions}. */
    String EXTENSION = "model_repository";

    /** Refuses every call: the server was started without the extension. */
    ModelRepositoryApi DISABLED = new ModelRepositoryApi() {
        private static final String WHY = "Loading and unloading models by name needs --model_repository=DIR and "
                + "--enable_model_repository_api";

        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public CompletableFuture<Void> load(final String model) {
            return CompletableFuture.failedFuture(new ServingException(StatusCode.FAILED_PRECONDITION, WHY));
        }

        @Override
        public CompletableFuture<Void> unload(final String model) {
            return CompletableFuture.failedFuture(new ServingException(StatusCode.FAILED_PRECONDITION, WHY));
        }

        @Override
        public List<Entry> index() {
            throw new ServingException(StatusCode.FAILED_PRECONDITION, WHY);
        }
    };

    /** Whether the server serves the extension. */
    boolean enabled();

    /**
     * Serves the model in the repository's directory {@code model} (again, if it was), with its newest version.
     *
     * @return completes once the model serves; fails with a {@link ServingException}: INVALID_ARGUMENT for a name
     *     that is not a directory name, NOT_FOUND when the repository has no such directory, FAILED_PRECONDITION
     *     (with TensorFlow's reason) when no version of it loads, UNAVAILABLE while the server starts or stops
     */
    CompletableFuture<Void> load(String model);

    /**
     * Stops serving {@code model}: it leaves lookups at once, and its versions close once the requests holding them
     * are answered.
     *
     * @return completes once its versions are closed; fails with NOT_FOUND when it is not served
     */
    CompletableFuture<Void> unload(String model);

    /** Every model directory of the repository and, for served models, each version's state. */
    List<Entry> index();

    /**
     * One line of the index (Triton's shape).
     *
     * @param version a served version, or empty for a directory not served
     * @param state {@code READY}, {@code LOADING}, {@code UNLOADING} or {@code UNAVAILABLE}; empty when not served
     * @param reason why a version is {@code UNAVAILABLE}, else empty
     */
    record Entry(String name, Optional<String> version, Optional<String> state, Optional<String> reason) {
    }
}
