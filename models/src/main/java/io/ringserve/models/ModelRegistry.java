package io.ringserve.models;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this server serves, by name, and their loading.
 *
 * <p>Models are added before serving starts ({@link #add}) and loaded with {@link #loadAll}; lookups are
 * thread-safe afterwards. A model that fails to load is recorded with its error and does not stop the others.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final SavedModelLoader loader;
    private final Map<String, ServedModel> models = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Long> pinnedVersions = new ConcurrentHashMap<>();

    public ModelRegistry(final SavedModelLoader loader) {
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /**
     * Registers a model to serve from {@code basePath}, its newest version.
     *
     * @throws IllegalArgumentException if a model of that name is already registered
     */
    public ServedModel add(final String name, final java.nio.file.Path basePath) {
        return add(name, basePath, OptionalLong.empty());
    }

    /**
     * Registers a model to serve from {@code basePath}: {@code version} when given (a {@code specific} version
     * policy), else the newest version.
     *
     * @throws IllegalArgumentException if a model of that name is already registered
     */
    public ServedModel add(final String name, final java.nio.file.Path basePath, final OptionalLong version) {
        final ServedModel model = new ServedModel(name, basePath);
        if (models.putIfAbsent(name, model) != null) {
            throw new IllegalArgumentException("model '" + name + "' is configured twice");
        }
        version.ifPresent(v -> pinnedVersions.put(name, v));
        return model;
    }

    /**
     * Loads every registered model: the version it was registered with, else its newest. Blocks until each has
     * loaded or failed.
     */
    public void loadAll() {
        for (ServedModel model : all()) {
            load(model);
        }
    }

    private void load(final ServedModel model) {
        final OptionalLong version;
        final java.nio.file.Path directory;
        try {
            final Long pinned = pinnedVersions.get(model.name());
            final Optional<Map.Entry<Long, java.nio.file.Path>> chosen = pinned == null
                    ? VersionDirectories.latest(model.basePath())
                    : Optional.ofNullable(VersionDirectories.list(model.basePath()).floorEntry(pinned))
                            .filter(entry -> entry.getKey().equals(pinned));
            if (chosen.isEmpty()) {
                model.setError(pinned == null
                        ? "No versions of servable " + model.name() + " found under base path " + model.basePath()
                        : "Version " + pinned + " of servable " + model.name() + " (model_version_policy specific) "
                                + "not found under base path " + model.basePath());
                LOG.error("{}", model.error().orElseThrow());
                return;
            }
            version = OptionalLong.of(chosen.get().getKey());
            directory = chosen.get().getValue();
        } catch (ModelLoadException e) {
            model.setError(e.getMessage());
            LOG.error("Model {}: {}", model.name(), e.getMessage());
            return;
        }
        final long v = version.getAsLong();
        model.markLoading(v);
        final long start = System.nanoTime();
        try {
            final LoadedModel loaded = loader.load(model.name(), v, directory);
            model.markAvailable(loaded);
            LOG.info("Loaded model {} version {} from {} in {} ms", model.name(), v, directory,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (ModelLoadException e) {
            model.markFailed(v, e.getMessage());
            LOG.error("Model {} version {} failed to load: {}", model.name(), v, e.getMessage());
        }
    }

    /** The model with this name, if registered. */
    public Optional<ServedModel> get(final String name) {
        return Optional.ofNullable(models.get(name));
    }

    /** Every registered model, in registration order. */
    public Collection<ServedModel> all() {
        synchronized (models) {
            return java.util.List.copyOf(models.values());
        }
    }

    /** True when every registered model has a version serving. */
    public boolean allAvailable() {
        return all().stream().allMatch(ServedModel::isAvailable);
    }

    @Override
    public void close() {
        all().forEach(ServedModel::close);
    }
}
