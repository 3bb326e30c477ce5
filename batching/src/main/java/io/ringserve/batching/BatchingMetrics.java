package io.ringserve.batching;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters one scheduler reports through, registered in the {@link MeterRegistry} it is given with the given
 * tags (typically model, version and signature). Names follow Prometheus conventions once exported:
 * {@code inference_batch_size}, {@code inference_queue_duration_seconds}, {@code inference_queue_depth},
 * {@code inference_batches_total}, {@code inference_rejected_total}, {@code inference_deadline_expired_total}.
 * Thread-safe.
 */
public final class BatchingMetrics {
    public static final String BATCH_SIZE = "inference.batch.size";
    public static final String QUEUE_DURATION = "inference.queue.duration";
    public static final String QUEUE_DEPTH = "inference.queue.depth";
    public static final String BATCHES = "inference.batches";
    public static final String REJECTED = "inference.rejected";
    public static final String EXPIRED = "inference.deadline.expired";

    private final MeterRegistry registry;
    private final List<Tag> tags;
    private final DistributionSummary batchSize;
    private final Timer queueDuration;
    private final Counter batches;
    private final Counter rejected;
    private final Counter expired;
    private final Listener listener;
    private Gauge queueDepth;

    /**
     * Also told what the meters record, for metrics kept outside the registry. Called on the batch threads: must be
     * thread-safe and must not block.
     */
    public interface Listener {
        /** Tells nothing. */
        Listener NONE = new Listener() {
        };

        /** One task waited {@code nanos} in its queue. */
        default void queued(final long nanos) {
        }

        /** A batch of {@code rows} rows was handed to the processor. */
        default void batchFormed(final int rows) {
        }
    }

    public BatchingMetrics(final MeterRegistry registry, final Iterable<Tag> tags) {
        this(registry, tags, Listener.NONE);
    }

    /** Meters tagged with {@code tags} in {@code registry}; what they record is also told to {@code listener}. */
    public BatchingMetrics(final MeterRegistry registry, final Iterable<Tag> tags, final Listener listener) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.tags = toList(tags);
        this.batchSize = DistributionSummary.builder(BATCH_SIZE).baseUnit("rows").tags(this.tags)
                .description("Rows per batch run by the model, padding excluded")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry);
        this.queueDuration = Timer.builder(QUEUE_DURATION).tags(this.tags)
                .description("Time a task waited in the batching queue before its batch formed")
                .publishPercentileHistogram().register(registry);
        this.batches = Counter.builder(BATCHES).tags(this.tags).description("Batches run by the model")
                .register(registry);
        this.rejected = Counter.builder(REJECTED).tags(this.tags)
                .description("Tasks rejected because the batching queue was full").register(registry);
        this.expired = Counter.builder(EXPIRED).tags(this.tags)
                .description("Tasks dropped because their deadline passed or their caller cancelled before they ran")
                .register(registry);
    }

    /** Meters that go nowhere, for schedulers nobody observes (a composite registry with no members is a no-op). */
    public static BatchingMetrics noop() {
        return new BatchingMetrics(new CompositeMeterRegistry(), List.of());
    }

    private static List<Tag> toList(final Iterable<Tag> tags) {
        final List<Tag> list = new ArrayList<>();
        tags.forEach(list::add);
        return List.copyOf(list);
    }

    /**
     * Registers the queue-depth gauge, read from {@code depth} at scrape time. A gauge of the same tags that an
     * earlier scheduler left (the same model version loaded again while the old load drains) is replaced: the newest
     * queue is the one that takes requests.
     */
    public void bindQueueDepth(final Supplier<Number> depth) {
        synchronized (registry) { // one lock for every scheduler's gauge of this registry
            bindLocked(depth);
        }
    }

    private void bindLocked(final Supplier<Number> depth) {
        final Gauge earlier = registry.find(QUEUE_DEPTH).tags(tags).gauge();
        if (earlier != null && earlier.getId().getTags().equals(Tags.of(tags).stream().toList())) {
            registry.remove(earlier);
        }
        queueDepth = Gauge.builder(QUEUE_DEPTH, depth).tags(tags).description("Tasks waiting in the batching queue")
                .register(registry);
    }

    /** Removes the queue-depth gauge this bound, unless a newer scheduler's has replaced it. Called on close. */
    public void unbindQueueDepth() {
        synchronized (registry) {
            unbindLocked();
        }
    }

    private void unbindLocked() {
        // By identity: meters are equal by their id, which the replacing gauge shares.
        if (queueDepth != null
                && registry.find(QUEUE_DEPTH).tags(tags).gauges().stream().anyMatch(gauge -> gauge == queueDepth)) {
            registry.remove(queueDepth);
        }
        queueDepth = null;
    }

    /** Records a batch of {@code rows} rows handed to the processor. Called by the scheduler. */
    public void batchFormed(final int rows) {
        batches.increment();
        batchSize.record(rows);
        listener.batchFormed(rows);
    }

    /** Records how long one task waited. Called by the scheduler. */
    public void queued(final long nanos) {
        queueDuration.record(nanos, TimeUnit.NANOSECONDS);
        listener.queued(nanos);
    }

    /** Counts a task rejected because the queue was full. Called by the scheduler. */
    public void rejected() {
        rejected.increment();
    }

    /** Counts a task dropped as expired or cancelled. Called by the scheduler. */
    public void expired() {
        expired.increment();
    }
}
