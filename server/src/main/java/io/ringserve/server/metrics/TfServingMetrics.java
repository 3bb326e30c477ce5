package io.ringserve.server.metrics;

import io.ringserve.batching.BatchingMetrics;
import io.ringserve.server.inference.ExampleCounts;
import io.ringserve.server.inference.RuntimeLatency;
import io.ringserve.server.inference.StatusCode;
import io.ringserve.server.inference.TfServingApi;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The metrics TensorFlow Serving exports at its monitoring path, under its names, labels and units, so that
 * dashboards and alerts written for TF Serving (its Grafana mixin, {@code request_count{status!="OK"}} error ratios)
 * keep working: {@code :tensorflow:serving:request_count{model_name,status}}, the histograms
 * {@code :tensorflow:serving:request_latency{model_name,API,entrypoint}} and
 * {@code :tensorflow:serving:runtime_latency{model_name,API,runtime}} in microseconds with TF Serving's buckets
 * (10 µs × 1.8^i, 33 of them), {@code :tensorflow:serving:batching_session:queuing_latency{thread_pool_name}} (µs,
 * 100 × 1.2^i, 52 buckets; the model server's batching sessions have no thread pool name),
 * {@code :tensorflow:serving:batching_session:wrapped_run_count} (batches run), and
 * {@code :tensorflow:serving:model_warmup_latency{model_path,status}} (µs, for versions with warm-up requests),
 * {@code :tensorflow:serving:request_example_counts{model}} (examples per Classify, Regress or MultiInference
 * request, 1 × 2^i, 15 buckets) and {@code :tensorflow:serving:request_example_count_total{model}},
 * {@code :tensorflow:cc:saved_model:load_attempt_count{model_path,status}} and
 * {@code :tensorflow:cc:saved_model:load_latency{model_path}} (microseconds, a counter).
 *
 * <p>As in TF Serving, every request counts in {@code request_count} by its status code's name, and only answered
 * ones in the latencies; {@code API} is {@code Predict}, {@code Classify} or {@code Regress} over gRPC (and in the
 * runtime latency) and the same in lower case over REST, {@code entrypoint} {@code GRPC} or {@code REST},
 * {@code runtime} {@code TF1}. Rendered in TF Serving's exposition (no {@code # HELP}, a histogram's buckets
 * cumulative, a value counting in the first bucket whose limit is above it). Thread-safe; recording never blocks.
 */
public final class TfServingMetrics implements RuntimeLatency, ExampleCounts, BatchingMetrics.Listener {
    /** TF Serving's latency bucket limits: {@code Buckets::Exponential(10, 1.8, 33)}, then +Inf. */
    static final double[] LATENCY_LIMITS_MICROS = exponential(10, 1.8, 33);
    /** Its batching session's queuing latency limits: {@code Buckets::Exponential(100, 1.2, 52)}, then +Inf. */
    static final double[] QUEUING_LIMITS_MICROS = exponential(100, 1.2, 52);
    /** Its examples-per-request limits: {@code Buckets::Exponential(1, 2, 15)}, 1 to 16384, then +Inf. */
    static final double[] EXAMPLE_COUNT_LIMITS = exponential(1, 2, 15);
    static final String REQUEST_COUNT = ":tensorflow:serving:request_count";
    static final String REQUEST_LATENCY = ":tensorflow:serving:request_latency";
    static final String RUNTIME_LATENCY = ":tensorflow:serving:runtime_latency";
    static final String QUEUING_LATENCY = ":tensorflow:serving:batching_session:queuing_latency";
    static final String WRAPPED_RUN_COUNT = ":tensorflow:serving:batching_session:wrapped_run_count";
    static final String LOAD_ATTEMPT_COUNT = ":tensorflow:cc:saved_model:load_attempt_count";
    static final String LOAD_LATENCY = ":tensorflow:cc:saved_model:load_latency";
    static final String MODEL_WARMUP_LATENCY = ":tensorflow:serving:model_warmup_latency";
    static final String EXAMPLE_COUNTS = ":tensorflow:serving:request_example_counts";
    static final String EXAMPLE_COUNT_TOTAL = ":tensorflow:serving:request_example_count_total";
    /** The {@code runtime} label of TF Serving's classic session runtime. */
    private static final String RUNTIME = "TF1";
    /** The thread pool name TF Serving's model server gives its batching sessions: none. */
    private static final List<String> BATCHING_THREAD_POOL = List.of("");

    /** The front end a request came through: the {@code entrypoint} label and the case of the {@code API} label. */
    public enum Entrypoint {
        GRPC, REST
    }

    /** Records nothing: for a server whose monitoring path is off, which would never show these metrics. */
    public static final TfServingMetrics NOT_EXPORTED = new TfServingMetrics(false);

    private final boolean recording;
    private final Map<List<String>, LongAdder> requestCounts = new ConcurrentHashMap<>();
    private final Map<List<String>, Histogram> requestLatencies = new ConcurrentHashMap<>();
    private final Map<List<String>, Histogram> runtimeLatencies = new ConcurrentHashMap<>();
    private final Map<List<String>, LongAdder> loadAttempts = new ConcurrentHashMap<>();
    private final Map<List<String>, LongAdder> loadLatencies = new ConcurrentHashMap<>();
    private final Histogram queuingLatency = new Histogram(QUEUING_LIMITS_MICROS);
    private final LongAdder wrappedRuns = new LongAdder();
    private final Map<List<String>, Histogram> warmupLatencies = new ConcurrentHashMap<>();
    private final Map<List<String>, Histogram> exampleCounts = new ConcurrentHashMap<>();
    private final Map<List<String>, LongAdder> exampleTotals = new ConcurrentHashMap<>();

    /** Metrics that record. */
    public TfServingMetrics() {
        this(true);
    }

    private TfServingMetrics(final boolean recording) {
        this.recording = recording;
    }

    /** The runtime latency to record into: this, or nothing when this records nothing. */
    public RuntimeLatency runtimeLatency() {
        return recording ? this : RuntimeLatency.NONE;
    }

    /** A request to {@code model} finished with {@code code} after {@code nanos}. */
    public void requestFinished(final String model, final TfServingApi api, final Entrypoint entrypoint,
                                final StatusCode code, final long nanos) {
        if (!recording) {
            return;
        }
        requestCounts.computeIfAbsent(List.of(model, code.name()), k -> new LongAdder()).increment();
        if (code == StatusCode.OK) {
            requestLatencies.computeIfAbsent(List.of(model, apiLabel(api, entrypoint), entrypoint.name()),
                    k -> new Histogram()).add(nanos / 1000);
        }
    }

    /** An answered request of {@code model} waited {@code nanos} for its model call (batching queue included). */
    @Override
    public void record(final String model, final TfServingApi api, final long nanos) {
        if (!recording) {
            return;
        }
        runtimeLatencies.computeIfAbsent(List.of(model, api.label(), RUNTIME), k -> new Histogram()).add(nanos / 1000);
    }

    /** The example counts to record into: this, or nothing when this records nothing. */
    public ExampleCounts exampleCounts() {
        return recording ? this : ExampleCounts.NONE;
    }

    /** A Classify, Regress or MultiInference request of {@code model} fed it {@code examples} examples. */
    @Override
    public void record(final String model, final int examples) {
        if (recording) {
            final List<String> labels = List.of(model);
            exampleCounts.computeIfAbsent(labels, k -> new Histogram(EXAMPLE_COUNT_LIMITS)).add(examples);
            exampleTotals.computeIfAbsent(labels, k -> new LongAdder()).add(examples);
        }
    }

    /** A task waited {@code nanos} in its batching queue. */
    @Override
    public void queued(final long nanos) {
        if (recording) {
            queuingLatency.add(nanos / 1000);
        }
    }

    /** A batch ran: one run of the wrapped session, in TF Serving's words. */
    @Override
    public void batchFormed(final int rows) {
        if (recording) {
            wrappedRuns.increment();
        }
    }

    /** A version directory was loaded ({@code nanos} long), or failed to load. */
    public void loadAttempted(final String versionDirectory, final boolean success, final long nanos) {
        if (!recording) {
            return;
        }
        loadAttempts.computeIfAbsent(List.of(versionDirectory, success ? "success" : "fail"), k -> new LongAdder())
                .increment();
        if (success) {
            loadLatencies.computeIfAbsent(List.of(versionDirectory), k -> new LongAdder()).add(nanos / 1000);
        }
    }

    /**
     * A version directory's warm-up requests were replayed in {@code nanos}.
     *
     * @param status {@code OK}, or the failure as TF Serving prints a status ({@code CODE: message})
     */
    public void warmupReplayed(final String versionDirectory, final String status, final long nanos) {
        if (recording) {
            warmupLatencies.computeIfAbsent(List.of(versionDirectory, status), k -> new Histogram())
                    .add(nanos / 1000);
        }
    }

    /** {@code Predict} over gRPC, {@code predict} over REST, as TF Serving labels its request latency. */
    private static String apiLabel(final TfServingApi api, final Entrypoint entrypoint) {
        return entrypoint == Entrypoint.GRPC ? api.label() : api.label().toLowerCase(java.util.Locale.ROOT);
    }

    /** TF Serving's exposition of these metrics, one family after another, each line ending in a newline. */
    public String exposition() {
        final StringBuilder out = new StringBuilder();
        // In the order of TensorFlow's metric names, as TF Serving lists them.
        counter(out, LOAD_ATTEMPT_COUNT, List.of("model_path", "status"), loadAttempts);
        counter(out, LOAD_LATENCY, List.of("model_path"), loadLatencies);
        histogram(out, QUEUING_LATENCY, List.of("thread_pool_name"), queuingLatency.count() == 0 ? Map.of()
                : Map.of(BATCHING_THREAD_POOL, queuingLatency));
        counter(out, WRAPPED_RUN_COUNT, List.of(), wrappedRuns.sum() == 0 ? Map.of()
                : Map.of(List.of(), wrappedRuns));
        histogram(out, MODEL_WARMUP_LATENCY, List.of("model_path", "status"), warmupLatencies);
        counter(out, REQUEST_COUNT, List.of("model_name", "status"), requestCounts);
        counter(out, EXAMPLE_COUNT_TOTAL, List.of("model"), exampleTotals);
        histogram(out, EXAMPLE_COUNTS, List.of("model"), exampleCounts);
        histogram(out, REQUEST_LATENCY, List.of("model_name", "API", "entrypoint"), requestLatencies);
        histogram(out, RUNTIME_LATENCY, List.of("model_name", "API", "runtime"), runtimeLatencies);
        return out.toString();
    }

    private static void counter(final StringBuilder out, final String name, final List<String> labelNames,
                                final Map<List<String>, LongAdder> points) {
        out.append("# TYPE ").append(name).append(" counter\n");
        sorted(points).forEach(point -> out.append(name).append('{')
                .append(labels(labelNames, point.getKey())).append("} ").append(point.getValue().sum()).append('\n'));
    }

    private static void histogram(final StringBuilder out, final String name, final List<String> labelNames,
                                  final Map<List<String>, Histogram> points) {
        out.append("# TYPE ").append(name).append(" histogram\n");
        sorted(points).forEach(point -> {
            final String labels = labels(labelNames, point.getKey());
            final Histogram histogram = point.getValue();
            final double[] limits = histogram.limits;
            long cumulative = 0;
            for (int i = 0; i <= limits.length; i++) {
                cumulative += histogram.buckets.get(i);
                out.append(name).append("_bucket{").append(labels).append(",le=\"")
                        .append(i < limits.length ? sixDigits(limits[i]) : "+Inf")
                        .append("\"} ").append(cumulative).append('\n');
            }
            out.append(name).append("_sum{").append(labels).append("} ").append(histogram.sumMicros.sum())
                    .append('\n');
            out.append(name).append("_count{").append(labels).append("} ").append(cumulative).append('\n');
        });
    }

    private static <V> List<Map.Entry<List<String>, V>> sorted(final Map<List<String>, V> points) {
        return points.entrySet().stream()
                .sorted(Comparator.comparing(entry -> String.join("\0", entry.getKey())))
                .toList();
    }

    private static String labels(final List<String> names, final List<String> values) {
        final StringBuilder labels = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                labels.append(',');
            }
            labels.append(names.get(i)).append("=\"").append(escape(values.get(i))).append('"');
        }
        return labels.toString();
    }

    private static String escape(final String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A number as TF Serving prints a bucket limit ({@code absl::StrCat} of a double: {@code %.6g}). */
    static String sixDigits(final double value) {
        final String formatted = String.format(java.util.Locale.ROOT, "%.6g", value);
        final int exponent = formatted.indexOf('e');
        final String mantissa = exponent < 0 ? formatted : formatted.substring(0, exponent);
        final String trimmed = mantissa.contains(".")
                ? mantissa.replaceAll("0+$", "").replaceAll("\\.$", "") : mantissa;
        return exponent < 0 ? trimmed : trimmed + formatted.substring(exponent);
    }

    private static double[] exponential(final double scale, final double growth, final int count) {
        final double[] limits = new double[count];
        double limit = scale;
        for (int i = 0; i < count; i++) {
            limits[i] = limit;
            limit *= growth;
        }
        return limits;
    }

    /**
     * Counts per bucket (the last one above every limit) and the sum, in whole units as TF Serving adds them
     * (microseconds for latencies, examples for example counts).
     */
    private static final class Histogram {
        private final double[] limits;
        private final AtomicLongArray buckets;
        private final LongAdder sumMicros = new LongAdder();

        Histogram() {
            this(LATENCY_LIMITS_MICROS);
        }

        Histogram(final double[] limits) {
            this.limits = limits;
            this.buckets = new AtomicLongArray(limits.length + 1);
        }

        void add(final long micros) {
            int bucket = 0;
            while (bucket < limits.length && micros >= limits[bucket]) {
                bucket++;
            }
            buckets.incrementAndGet(bucket);
            sumMicros.add(micros);
        }

        long count() {
            long count = 0;
            for (int i = 0; i < buckets.length(); i++) {
                count += buckets.get(i);
            }
            return count;
        }
    }
}
