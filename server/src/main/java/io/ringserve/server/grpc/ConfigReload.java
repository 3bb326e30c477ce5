package io.ringserve.server.grpc;

import io.ringserve.server.config.ModelServerConfigFile;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Replaces the models the server serves (ModelService/HandleReloadConfigRequest); must not block. */
@FunctionalInterface
public interface ConfigReload {
    /** For servers that cannot change their models (in-process tests). */
    ConfigReload UNSUPPORTED = models -> CompletableFuture.failedFuture(new ServingException(
            StatusCode.UNIMPLEMENTED, "This server cannot reload its model configuration"));

    /** Serves exactly {@code models} once the future completes; a failure says why nothing changed. */
    CompletableFuture<Void> reload(List<ModelServerConfigFile.Model> models);
}
