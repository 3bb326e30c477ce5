package io.ringserve.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.ServedModel;
import io.ringserve.server.config.ModelServerConfigFile;
import io.ringserve.server.config.TextFormatException;
import io.ringserve.server.metrics.ModelMeters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes the models served while the server runs, as TF Serving does when it re-reads {@code --model_config_file}
 * ({@code --model_config_file_poll_wait_seconds}) or answers ModelService/HandleReloadConfigRequest: models the new
 * configuration lists are added and loaded, models it no longer lists stop serving, and changed version policies and
 * labels apply. A file that no longer parses is logged once and changes nothing. Called from one thread at a time
 * (the version poller).
 */
final class ModelConfigReloader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelConfigReloader.class);

    private final Optional<Path> file;
    private final ModelRegistry registry;
    private final MeterRegistry meters;
    private Map<String, ModelServerConfigFile.Model> current;
    /** Stands for "the file sets no config" among the problems logged once. */
    private static final String EMPTY = "(no config)";
    private String lastProblem = "";

    /**
     * @param file the model config file, when the server was started with one
     * @param loaded the models the server started with
     */
    ModelConfigReloader(final Optional<Path> file, final List<ModelConfig> loaded, final ModelRegistry registry,
                        final MeterRegistry meters) {
        this.file = Objects.requireNonNull(file, "file");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.current = new LinkedHashMap<>();
        loaded.forEach(model -> current.put(model.name(), new ModelServerConfigFile.Model(model.name(),
                model.basePath(), model.versions(), model.labels())));
    }

    /**
     * Applies the file as it is now.
     *
     * @return the versions of models no longer served and of changed policies, taken out of service: the caller
     *     closes each once no request holds it
     */
    List<ModelRegistry.Retired> reload() {
        final List<ModelServerConfigFile.Model> models;
        try {
            final Optional<List<ModelServerConfigFile.Model>> configured =
                    ModelServerConfigFile.read(file.orElseThrow());
            if (configured.isEmpty()) {
                if (!lastProblem.equals(EMPTY)) {
                    LOG.info("model config file {} sets no config: taking no action, as TF Serving", file.get());
                    lastProblem = EMPTY;
                }
                return List.of();
            }
            models = configured.get();
            lastProblem = "";
        } catch (TextFormatException e) {
            if (!e.getMessage().equals(lastProblem)) {
                LOG.error("{}; the models served stay as they are", e.getMessage());
                lastProblem = e.getMessage();
            }
            return List.of();
        }
        return apply(models);
    }

    /** Whether serving {@code models} would change what is served now; on the version poller's thread. */
    boolean changes(final List<ModelServerConfigFile.Model> models) {
        return !byName(models).equals(current);
    }

    private static Map<String, ModelServerConfigFile.Model> byName(final List<ModelServerConfigFile.Model> models) {
        final Map<String, ModelServerConfigFile.Model> byName = new LinkedHashMap<>();
        models.forEach(model -> byName.put(model.name(), model));
        return byName;
    }

    /** The models served now, as the last change left them; on the version poller's thread. */
    List<ModelServerConfigFile.Model> current() {
        return List.copyOf(current.values());
    }

    /**
     * Serves exactly {@code models} from now on (a reloaded file, or ModelService/HandleReloadConfigRequest).
     *
     * @return the versions taken out of service, which the caller closes once no request holds them
     */
    List<ModelRegistry.Retired> apply(final List<ModelServerConfigFile.Model> models) {
        final Map<String, ModelServerConfigFile.Model> wanted = byName(models);
        if (wanted.equals(current)) {
            return List.of();
        }
        final List<ModelRegistry.Retired> retired = new ArrayList<>();
        for (ModelServerConfigFile.Model old : current.values()) {
            final ModelServerConfigFile.Model now = wanted.get(old.name());
            if (now == null) {
                retired.addAll(registry.remove(old.name()));
                ModelMeters.unbind(meters, old.name());
            } else if (!now.basePath().equals(old.basePath())) {
                // The old path's versions serve until the new path's have loaded.
                retired.addAll(registry.move(now.name(), now.basePath(), now.versions(), now.labels()));
                ModelMeters.unbind(meters, old.name());
                ModelMeters.bind(meters, registry.get(now.name()).orElseThrow());
                LOG.info("Model {} moved from {} to {}", now.name(), old.basePath(), now.basePath());
            }
        }
        for (ModelServerConfigFile.Model model : wanted.values()) {
            final ModelServerConfigFile.Model before = current.get(model.name());
            if (before != null && !before.basePath().equals(model.basePath())) {
                continue; // moved above
            }
            if (registry.get(model.name()).isEmpty()) {
                final ServedModel added = registry.add(model.name(), model.basePath(), model.versions(),
                        model.labels());
                ModelMeters.bind(meters, added);
                LOG.info("Model {} is now configured, from {}", model.name(), model.basePath());
            } else {
                registry.reconfigure(model.name(), model.versions(), model.labels());
            }
        }
        current = wanted;
        retired.addAll(registry.refresh());
        return retired;
    }
}
