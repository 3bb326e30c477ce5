package io.ringserve.models;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named model and its versions: which are loaded and serving, and which failed.
 *
 * <p>Thread-safe: lookups may run on any thread while versions are being loaded.
 */
public final class ServedModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServedModel.class);

    private final String name;
    private final Path basePath;
    /** The labels the configuration gives (label to version). */
    private volatile Map<String, Long> wantedLabels;
    /** The labels requests resolve: each wanted one, or while its version is not serving yet, the one it had. */
    private volatile Map<String, Long> labels;
    private final ConcurrentSkipListMap<Long, VersionStatus> statuses = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<Long, LoadedModel> loaded = new ConcurrentSkipListMap<>();
    /** The labels {@link #unservedLabels} told of, with the version they named then. */
    private final Map<String, Long> warnedLabels = new HashMap<>();
    private volatile Optional<String> error = Optional.empty();

    public ServedModel(final String name, final Path basePath) {
        this(name, basePath, Map.of());
    }

    /** A model whose versions clients may also address by the labels of {@code labels} (label to version). */
    public ServedModel(final String name, final Path basePath, final Map<String, Long> labels) {
        this.name = Objects.requireNonNull(name, "name");
        this.basePath = Objects.requireNonNull(basePath, "basePath");
        this.wantedLabels = Map.copyOf(labels);
        this.labels = wantedLabels;
    }

    public String name() {
        return name;
    }

    /** The directory holding the integer version directories. */
    public Path basePath() {
        return basePath;
    }

    /**
     * Replaces the version labels (a reloaded model config file). A label moved to a version that is not serving
     * yet keeps naming the version it named, while that one serves, until the new one does: moving {@code stable}
     * to a version still loading does not leave its clients with nothing.
     */
    synchronized void setLabels(final Map<String, Long> labels) {
        this.wantedLabels = Map.copyOf(labels);
        moveLabels();
    }

    /** Points each label at its wanted version if that one serves, else at the serving version it named. */
    private synchronized void moveLabels() {
        final Map<String, Long> previous = labels;
        final Map<String, Long> resolved = new HashMap<>();
        wantedLabels.forEach((label, version) -> {
            final Long before = previous.get(label);
            resolved.put(label, !loaded.containsKey(version) && before != null && loaded.containsKey(before)
                    ? before : version);
        });
        if (!resolved.equals(previous)) {
            LOG.info("Model {}: version labels now {}", name, new TreeMap<>(resolved));
        }
        labels = Map.copyOf(resolved);
    }

    /**
     * The labels whose version does not serve (after a poll: what an operator is warned of), each told once while it
     * stays so. Thread-safe.
     */
    synchronized Map<String, Long> unservedLabels() {
        final Map<String, Long> unserved = new TreeMap<>();
        labels.forEach((label, version) -> {
            if (!loaded.containsKey(version) && !version.equals(warnedLabels.get(label))) {
                unserved.put(label, version);
            }
        });
        warnedLabels.keySet().removeIf(label -> !labels.containsKey(label) || loaded.containsKey(labels.get(label)));
        warnedLabels.putAll(unserved);
        return unserved;
    }

    /** The version {@code label} names ({@code version_labels}), if it names one. */
    public OptionalLong labelled(final String label) {
        final Long version = labels.get(label);
        return version == null ? OptionalLong.empty() : OptionalLong.of(version);
    }

    /** The newest version that is serving, if any. */
    public Optional<LoadedModel> latest() {
        final Map.Entry<Long, LoadedModel> last = loaded.lastEntry();
        return last == null ? Optional.empty() : Optional.of(last.getValue());
    }

    /** The given version, if it is serving. */
    public Optional<LoadedModel> version(final long version) {
        return Optional.ofNullable(loaded.get(version));
    }

    /** The status of every version this model has tried to load, oldest first. */
    public List<VersionStatus> statuses() {
        return new ArrayList<>(statuses.values());
    }

    /** The status of one version, if it was ever tried. */
    public Optional<VersionStatus> status(final long version) {
        return Optional.ofNullable(statuses.get(version));
    }

    /** True when at least one version is serving. */
    public boolean isAvailable() {
        return !loaded.isEmpty();
    }

    /** A problem with the model as a whole (no versions found, base path missing), if there is one. */
    public Optional<String> error() {
        return error;
    }

    void markLoading(final long version) {
        statuses.put(version, new VersionStatus(version, ModelState.LOADING, Optional.empty()));
    }

    void markAvailable(final LoadedModel model) {
        error = Optional.empty();
        loaded.put(model.version(), model);
        statuses.put(model.version(), new VersionStatus(model.version(), ModelState.AVAILABLE, Optional.empty()));
        moveLabels();
    }

    void markFailed(final long version, final String reason) {
        markFailed(version, "UNKNOWN", reason);
    }

    /** @param code the failure's kind, as TensorFlow's status codes name it */
    void markFailed(final long version, final String code, final String reason) {
        statuses.put(version, new VersionStatus(version, ModelState.END, Optional.of(reason), code));
    }

    /**
     * Takes {@code version} out of service: requests no longer find it, its status turns UNLOADING; the caller
     * closes it once no request holds it and then calls {@link #markUnloaded}.
     */
    Optional<LoadedModel> takeOutOfService(final long version) {
        final LoadedModel model = loaded.remove(version);
        if (model != null) {
            statuses.put(version, new VersionStatus(version, ModelState.UNLOADING, Optional.empty()));
        }
        return Optional.ofNullable(model);
    }

    /** Records that {@code version}, taken out of service, has been closed (if it is still UNLOADING). */
    public void markUnloaded(final long version) {
        statuses.computeIfPresent(version, (v, status) -> status.state() == ModelState.UNLOADING
                ? new VersionStatus(version, ModelState.END, Optional.empty()) : status);
    }

    /** True while {@code version} is out of service and not yet closed: it cannot be loaded again until it is. */
    boolean isUnloading(final long version) {
        return status(version).map(status -> status.state() == ModelState.UNLOADING).orElse(false);
    }

    /** The versions serving now, oldest first. */
    public List<Long> servingVersions() {
        return List.copyOf(loaded.keySet());
    }

    void setError(final String reason) {
        this.error = Optional.of(reason);
    }

    /** Unloads every version. No {@link LoadedModel#run} may be in progress. */
    @Override
    public void close() {
        for (LoadedModel model : loaded.values()) {
            statuses.put(model.version(), new VersionStatus(model.version(), ModelState.END, Optional.empty()));
            model.close();
        }
        loaded.clear();
    }
}
