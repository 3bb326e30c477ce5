package io.ringserve.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
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
    private final LoadAttempts loadAttempts;
    private final Map<String, ServedModel> models = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, VersionPolicy> policies = new ConcurrentHashMap<>();
    /** For versions that failed to load: what their directory held then and the attempts since, by model/version. */
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final LoadRetries retries;
    /** The last problem found with each model's base path ({@link #problem}), so that it is logged once. */
    private final Map<String, String> pollProblems = new ConcurrentHashMap<>();

    public ModelRegistry(final SavedModelLoader loader) {
        this(loader, VersionWarmup.NONE);
    }

    /** A registry that warms each version up with {@code warmup} after loading it and before it serves. */
    public ModelRegistry(final SavedModelLoader loader, final VersionWarmup warmup) {
        this(loader, warmup, LoadAttempts.NONE, LoadRetries.NONE);
    }

    /**
     * A registry that also tells {@code loadAttempts} of every attempt to load a version's SavedModel, and tries
     * failed versions again as {@code retries} says.
     */
    public ModelRegistry(final SavedModelLoader loader, final VersionWarmup warmup, final LoadAttempts loadAttempts,
                         final LoadRetries retries) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.warmup = Objects.requireNonNull(warmup, "warmup");
        this.loadAttempts = Objects.requireNonNull(loadAttempts, "loadAttempts");
        this.retries = Objects.requireNonNull(retries, "retries");
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
     * Loads the versions each registered model's policy selects: the first {@link #refresh}, with nothing serving
     * yet. Blocks until each has loaded or failed; a version that fails does not stop the others.
     */
    public void loadAll() {
        refresh();
    }

    /**
     * Whether {@code version} failed to load, its directory has not changed since, and no retry is due: a directory
     * still being copied when it was first tried is tried again once its files change, a broken one is not tried
     * every poll, and one whose failure may pass is tried again as {@link LoadRetries} says.
     */
    private boolean failedAsItIs(final ServedModel model, final long version, final Path directory) {
        final boolean failed = model.status(version)
                .map(status -> status.state() == ModelState.END && status.error().isPresent()).orElse(false);
        final Failure failure = failures.get(model.name() + '/' + version);
        if (!failed || failure == null || !failure.contents().equals(contents(directory))) {
            return false;
        }
        final boolean retryDue = failure.retries() < retries.max()
                && retries.clock().getAsLong() - failure.atNanos() >= retries.interval().toNanos();
        if (retryDue) {
            LOG.info("Model {} version {}: trying again ({} of {} retries)", model.name(), version,
                    failure.retries() + 1, retries.max());
        }
        return !retryDue;
    }

    /**
     * A version's failed load: what its directory held, when it failed, and how many retries of those same files
     * failed before.
     */
    private record Failure(String contents, long atNanos, int retries) {
    }

    /** What the files under {@code directory} are now: their paths, sizes and modification times. */
    private static String contents(final Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            final StringBuilder out = new StringBuilder();
            files.sorted().forEach(file -> {
                try {
                    out.append(file).append(' ').append(Files.size(file)).append(' ')
                            .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
                } catch (IOException e) {
                    out.append(file).append(" ?\n");
                }
            });
            return out.toString();
        } catch (IOException | UncheckedIOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private void load(final ServedModel model, final long version, final Path directory) {
        final String key = model.name() + '/' + version;
        final Failure before = failures.remove(key);
        model.markLoading(version);
        // What the directory held as the load began: files still being copied in count as a change later.
        final String contents = contents(directory);
        final long start = System.nanoTime();
        try {
            final LoadedModel loaded;
            try {
                loaded = loadSavedModel(model, version, directory);
            } catch (ModelLoadException e) {
                throw e;
            } catch (RuntimeException e) {
                // TensorFlow Java fails some loads with exceptions of its own (an op it does not implement).
                throw new ModelLoadException("Failed to load SavedModel " + directory + ": " + e, e);
            }
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
            final int retried = before != null && before.contents().equals(contents) ? before.retries() + 1 : 0;
            failures.put(key, new Failure(contents, retries.clock().getAsLong(), retried));
            model.markFailed(version, e.code(), e.getMessage());
            LOG.error("Model {} version {} failed to load: {}", model.name(), version, e.getMessage());
        }
    }

    private LoadedModel loadSavedModel(final ServedModel model, final long version, final Path directory) {
        final long start = System.nanoTime();
        boolean loaded = false;
        try {
            final LoadedModel result = loader.load(model.name(), version, directory);
            loaded = true;
            return result;
        } finally {
            loadAttempts.attempted(directory, loaded, System.nanoTime() - start);
        }
    }

    /**
     * Records what is wrong with {@code model}'s base path now ({@code null}: nothing), logged once until it changes
     * rather than at every poll. A problem that leaves nothing to load ({@code blocking}) is the model's error while
     * no version serves, and logged as an error then; otherwise a warning.
     */
    private void problem(final ServedModel model, final String problem, final boolean blocking) {
        if (problem == null) {
            pollProblems.remove(model.name());
            return;
        }
        final boolean unserved = blocking && !model.isAvailable();
        if (unserved) {
            model.setError(problem);
        }
        if (!problem.equals(pollProblems.put(model.name(), problem))) {
            if (unserved) {
                LOG.error("Model {}: {}", model.name(), problem);
            } else {
                LOG.warn("Model {}: {}", model.name(), problem);
            }
        }
    }

    /** A version {@link #refresh} took out of service: close it once no request holds it, then mark it unloaded. */
    public record Retired(ServedModel model, LoadedModel version) {
    }

    /**
     * Brings every model in line with its base path, as TF Serving's file-system polling does: loads the versions
     * its policy selects that are not serving (a version that failed to load is tried again only once the files in
     * its directory change, so a directory caught half-copied loads when the copy is done), then takes out of service
     * the serving versions the policy no longer selects, provided one it selects is serving, so that a new version
     * that fails to load leaves the old one serving. Blocks while loading. For one thread at a time (the version
     * poller); lookups may go on meanwhile.
     *
     * @return the versions taken out of service, which the caller closes once no request holds them
     */
    public List<Retired> refresh() {
        final List<Retired> retired = new ArrayList<>();
        for (ServedModel model : all()) {
            refresh(model, policies.get(model.name()), retired);
        }
        return retired;
    }

    /** {@link #refresh} of one model under {@code policy}; what it takes out of service goes to {@code retired}. */
    private void refresh(final ServedModel model, final VersionPolicy policy, final List<Retired> retired) {
        final NavigableMap<Long, Path> available;
        try {
            available = VersionDirectories.list(model.basePath());
        } catch (ModelLoadException e) {
            // The base path cannot be listed right now: keep serving what serves.
            problem(model, e.getMessage(), true);
            return;
        }
        final NavigableMap<Long, Path> wanted = policy.select(available);
        final SortedSet<Long> missing = policy.missing(available);
        final String missingVersions = missing.isEmpty() ? null : "Versions " + missing + " of servable "
                + model.name() + " (model_version_policy specific) not found under base path " + model.basePath();
        if (wanted.isEmpty()) {
            problem(model, missingVersions != null ? missingVersions
                    : "No versions of servable " + model.name() + " found under base path " + model.basePath(),
                    true);
            return;
        }
        problem(model, missingVersions, false);
        wanted.forEach((version, directory) -> {
            // A version still draining from an earlier retirement loads again on a poll after it has closed.
            if (model.version(version).isEmpty() && !model.isUnloading(version)
                    && !failedAsItIs(model, version, directory)) {
                load(model, version, directory);
            }
        });
        if (wanted.keySet().stream().anyMatch(version -> model.version(version).isPresent())) {
            for (long version : model.servingVersions()) {
                if (!wanted.containsKey(version)) {
                    model.takeOutOfService(version).ifPresent(gone -> {
                        LOG.info("Model {} version {} is no longer wanted: taken out of service", model.name(),
                                version);
                        retired.add(new Retired(model, gone));
                    });
                }
            }
        }
        model.unservedLabels().forEach((label, version) -> LOG.warn("Model {}: version label {} names version {}, "
                + "which {}: requests to the label answer Servable not found", model.name(), label, version,
                wanted.containsKey(version) ? "did not load"
                        : available.containsKey(version) ? "its version policy does not serve"
                        : "is not under the base path"));
    }

    /**
     * Serves model {@code name} from {@code basePath} from now on (a reloaded model config that moved it), keeping
     * it available across the move as TF Serving's availability-preserving policy does: the versions {@code policy}
     * selects under the new path load while the old ones go on serving; then the model is switched to the new path,
     * and the old versions are taken out of service (also when nothing under the new path loaded, as in TF
     * Serving: the configuration names the new path). Blocks while loading; for the version poller's thread.
     *
     * @return the old versions, which the caller closes once no request holds them
     * @throws IllegalArgumentException if no model of that name is registered
     */
    public List<Retired> move(final String name, final Path basePath, final VersionPolicy policy,
                              final Map<String, Long> labels) {
        final ServedModel old = get(name).orElseThrow(() -> new IllegalArgumentException(
                "model '" + name + "' is not registered"));
        final ServedModel moved = new ServedModel(name, basePath, labels);
        final List<Retired> none = new ArrayList<>();
        refresh(moved, Objects.requireNonNull(policy, "policy"), none); // a model new to its path retires nothing
        policies.put(name, policy);
        models.put(name, moved);
        final List<Retired> retired = new ArrayList<>();
        for (long version : old.servingVersions()) {
            old.takeOutOfService(version).ifPresent(gone -> retired.add(new Retired(old, gone)));
        }
        LOG.info("Model {} now serves from {} ({} versions of {} retired)", name, basePath, retired.size(),
                old.basePath());
        return retired;
    }

    /**
     * Changes which versions of {@code name} to serve and its labels (a reloaded model config file); the next
     * {@link #refresh} loads and retires versions accordingly.
     *
     * @throws IllegalArgumentException if no model of that name is registered
     */
    public void reconfigure(final String name, final VersionPolicy policy, final Map<String, Long> labels) {
        final ServedModel model = get(name).orElseThrow(() -> new IllegalArgumentException(
                "model '" + name + "' is not registered"));
        policies.put(name, Objects.requireNonNull(policy, "policy"));
        model.setLabels(labels);
    }

    /**
     * Stops serving model {@code name} (gone from a reloaded model config file): lookups no longer find it, and its
     * serving versions are taken out of service.
     *
     * @return those versions, which the caller closes once no request holds them
     */
    public List<Retired> remove(final String name) {
        final ServedModel model = models.remove(name);
        policies.remove(name);
        if (model == null) {
            return List.of();
        }
        final List<Retired> retired = new ArrayList<>();
        for (long version : model.servingVersions()) {
            model.takeOutOfService(version).ifPresent(gone -> retired.add(new Retired(model, gone)));
        }
        LOG.info("Model {} is no longer configured: {} versions taken out of service", name, retired.size());
        return retired;
    }

    /** The model with this name, if registered. */
    public Optional<ServedModel> get(final String name) {
        return Optional.ofNullable(models.get(name));
    }

    /** Every registered model, in registration order. */
    public Collection<ServedModel> all() {
        synchronized (models) {
            return List.copyOf(models.values());
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
