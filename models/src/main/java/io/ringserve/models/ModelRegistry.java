package io.ringserve.models;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
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
    private final VersionWarmup warmup;
    private final Map<String, ServedModel> models = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, VersionPolicy> policies = new ConcurrentHashMap<>();

    public ModelRegistry(final SavedModelLoader loader) {
        this(loader, VersionWarmup.NONE);
    }

    /** A registry that warms each version up with {@code warmup} after loading it and before it serves. */
    public ModelRegistry(final SavedModelLoader loader, final VersionWarmup warmup) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.warmup = Objects.requireNonNull(warmup, "warmup");
    }

    /**
     * Registers a model to serve from {@code basePath}, its newest version.
     *
     * @throws IllegalArgumentException if a model of that name is already registered
     */
    public ServedModel add(final String name, final Path basePath) {
        return add(name, basePath, VersionPolicy.NEWEST, Map.of());
    }

    /**
     * Registers a model to serve from {@code basePath}: the versions {@code policy} selects, which clients may
     * also address by the labels of {@code labels} (label to version).
     *
     * @throws IllegalArgumentException if a model of that name is already registered
     */
    public ServedModel add(final String name, final Path basePath, final VersionPolicy policy,
                           final Map<String, Long> labels) {
        Objects.requireNonNull(policy, "policy");
        final ServedModel model = new ServedModel(name, basePath, labels);
        if (models.putIfAbsent(name, model) != null) {
            throw new IllegalArgumentException("model '" + name + "' is configured twice");
        }
        policies.put(name, policy);
        return model;
    }

    /**
     * Loads the versions each registered model's policy selects. Blocks until each has loaded or failed; a version
     * that fails does not stop the others.
     */
    public void loadAll() {
        for (ServedModel model : all()) {
            load(model, policies.get(model.name()));
        }
    }

    private void load(final ServedModel model, final VersionPolicy policy) {
        final NavigableMap<Long, Path> chosen;
        try {
            final NavigableMap<Long, Path> available = VersionDirectories.list(model.basePath());
            chosen = policy.select(available);
            final SortedSet<Long> missing = policy.missing(available);
            if (chosen.isEmpty()) {
                model.setError(missing.isEmpty()
                        ? "No versions of servable " + model.name() + " found under base path " + model.basePath()
                        : "Versions " + missing + " of servable " + model.name() + " (model_version_policy "
                                + "specific) not found under base path " + model.basePath());
                LOG.error("{}", model.error().orElseThrow());
                return;
            }
            if (!missing.isEmpty()) {
                LOG.warn("Model {}: versions {} (model_version_policy specific) not found under base path {}",
                        model.name(), missing, model.basePath());
            }
        } catch (ModelLoadException e) {
            model.setError(e.getMessage());
            LOG.error("Model {}: {}", model.name(), e.getMessage());
            return;
        }
        chosen.forEach((version, directory) -> load(model, version, directory));
    }

    private void load(final ServedModel model, final long version, final Path directory) {
        model.markLoading(version);
        final long start = System.nanoTime();
        try {
            final LoadedModel loaded = loader.load(model.name(), version, directory);
            try {
                warmup.warmUp(loaded);
            } catch (RuntimeException e) {
                loaded.close();
                throw e instanceof ModelLoadException failed ? failed
                        : new ModelLoadException("Warm-up failed: " + e.getMessage(), e);
            }
            model.markAvailable(loaded);
            LOG.info("Loaded model {} version {} from {} in {} ms", model.name(), version, directory,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (ModelLoadException e) {
            model.markFailed(version, e.getMessage());
            LOG.error("Model {} version {} failed to load: {}", model.name(), version, e.getMessage());
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
