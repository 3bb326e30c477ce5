package io.ringserve.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The server-level meters, registered once in the registry given:
 *
 * <ul>
 *   <li>{@code inference_requests_inflight}: requests accepted and not yet answered (queued and executing alike,
 *       until the response is fully written); health, readiness and metrics calls excluded. The per-pod signal for
 *       HPA and KEDA, with the meaning of Knative's queue-proxy concurrency.</li>
 *   <li>{@code inference_requests_total{model,protocol,status}} and
 *       {@code inference_request_duration_seconds{model,protocol}} (end to end, SLO buckets 1 ms … 10 s).</li>
 *   <li>{@code inference_compute_duration_seconds{model}}: one model call (a whole batch when batching).</li>
 *   <li>JVM memory, GC, threads, class loading and uptime.</li>
 * </ul>
 *
 * Label values are bounded: callers pass only configured model names (or {@code unknown}). Thread-safe.
 */
public final class ServerMetrics {
    public static final String INFLIGHT = "inference.requests.inflight";
    public static final String REQUESTS = "inference.requests";
    public static final String REQUEST_DURATION = "inference.request.duration";
    public static final String COMPUTE_DURATION = "inference.compute.duration";

    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final AtomicInteger inflight = new AtomicInteger();
    /** By model, then protocol: found without building a key per request. */
    private final Map<String, Map<String, RequestMeters>> requestMeters = new ConcurrentHashMap<>();
    private final Map<String, Timer> computeDurations = new ConcurrentHashMap<>();

    public ServerMetrics(final MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        Gauge.builder(INFLIGHT, inflight, AtomicInteger::get)
                .description("Inference requests accepted and not yet answered, queued and executing alike")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A request was accepted; pair with {@link #requestFinished}. */
    public void requestStarted() {
        inflight.incrementAndGet();
    }

    /** The response of a request started with {@link #requestStarted} has been written (or the write failed). */
    public void requestFinished(final String model, final String protocol, final RequestOutcome outcome,
                                final long nanos) {
        inflight.decrementAndGet();
        final RequestMeters meters = requestMeters.computeIfAbsent(model, m -> new ConcurrentHashMap<>())
                .computeIfAbsent(protocol, p -> new RequestMeters(model, protocol));
        meters.answered(outcome).increment();
        meters.duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The request meters of one model and protocol: a counter per outcome, made on first use, and the latency. */
    private final class RequestMeters {
        private final String model;
        private final String protocol;
        private final Timer duration;
        /** By outcome's ordinal; a counter is registered on first use (registering twice gives the same one). */
        private final AtomicReferenceArray<Counter> answered = new AtomicReferenceArray<>(
                RequestOutcome.values().length);

        RequestMeters(final String model, final String protocol) {
            this.model = model;
            this.protocol = protocol;
            this.duration = Timer.builder(REQUEST_DURATION)
                    .tags("model", model, "protocol", protocol)
                    .description("End-to-end latency of inference requests, from accepted to response written")
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
        }

        Counter answered(final RequestOutcome outcome) {
            Counter counter = answered.get(outcome.ordinal());
            if (counter == null) {
                counter = Counter.builder(REQUESTS)
                        .tags("model", model, "protocol", protocol, "status", outcome.label())
                        .description("Inference requests answered, by model, protocol and outcome")
                        .register(registry);
                answered.set(outcome.ordinal(), counter);
            }
            return counter;
        }
    }

    /** Records one model call of {@code model} taking {@code nanos}. */
    public void computed(final String model, final long nanos) {
        computeDurations.computeIfAbsent(model, k -> Timer.builder(COMPUTE_DURATION)
                .tags("model", model)
                .description("Duration of one model call (Session.run), a whole batch when batching")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Requests in flight now. */
    public int inflight() {
        return inflight.get();
    }
}
