package io.ringserve.loadtest;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.HdrHistogram.Histogram;

/**
 * The in-process ceiling: the same model run with {@code Session.run} in a loop at a fixed batch size, host copies
 * in and out included, as a server must do them. What a server reaches is compared to this. {@link #measure} is
 * not thread-safe by itself; {@link #measureConcurrently} runs it from several threads on purpose (a loaded model
 * may be run concurrently).
 */
public final class SessionRunCeiling {
    private final LoadedModel model;
    private final SignatureSpec signature;

    public SessionRunCeiling(final LoadedModel model, final String signatureKey) {
        this.model = model;
        this.signature = model.signature(signatureKey).orElseThrow(() -> new IllegalArgumentException(
                "model " + model.name() + " has no signature " + signatureKey));
    }

    /**
     * Loads the newest version under {@code baseDir} with TensorFlow's default session options, measures it at each
     * of {@code batchSizes} from one thread, and unloads it.
     *
     * @throws IllegalArgumentException if the model cannot be loaded or has no such signature
     */
    public static List<LoadResult> measure(final Path baseDir, final String signatureKey,
                                           final List<Integer> batchSizes, final Duration warmup,
                                           final Duration duration) {
        return measure(baseDir, signatureKey, SessionOptions.DEFAULTS, 1, batchSizes, warmup, duration);
    }

    /**
     * Loads the newest version under {@code baseDir} with {@code options}, measures it at each of {@code batchSizes}
     * with {@code callers} threads each running {@code Session.run} in its own loop, and unloads it. Several callers
     * are how a server with several batch threads drives the model; their results are summed.
     *
     * @throws IllegalArgumentException if the model cannot be loaded or has no such signature
     */
    public static List<LoadResult> measure(final Path baseDir, final String signatureKey,
                                           final SessionOptions options, final int callers,
                                           final List<Integer> batchSizes, final Duration warmup,
                                           final Duration duration) {
        if (callers < 1) {
            throw new IllegalArgumentException("callers must be >= 1, got " + callers);
        }
        try (ModelRegistry registry = new ModelRegistry(new SavedModelLoader(options))) {
            final String name = "ceiling";
            registry.add(name, baseDir);
            registry.loadAll();
            final SessionRunCeiling ceiling = new SessionRunCeiling(registry.get(name)
                    .flatMap(ServedModel::latest).orElseThrow(() -> new IllegalArgumentException(
                            "cannot load a SavedModel from " + baseDir)), signatureKey);
            final List<LoadResult> results = new ArrayList<>();
            for (int batch : batchSizes) {
                results.add(callers == 1 ? ceiling.measure(batch, warmup, duration)
                        : ceiling.measureConcurrently(callers, batch, warmup, duration));
            }
            return results;
        }
    }

    /** {@link #measure(int, Duration, Duration)} from {@code callers} threads at once, summed. */
    LoadResult measureConcurrently(final int callers, final int batchSize, final Duration warmup,
                                   final Duration duration) {
        final List<CompletableFuture<LoadResult>> runs = new ArrayList<>();
        final ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            for (int i = 0; i < callers; i++) {
                runs.add(CompletableFuture.supplyAsync(() -> measure(batchSize, warmup, duration), threads));
            }
            final Histogram latency = new Histogram(3);
            long runsDone = 0;
            double seconds = 0;
            for (CompletableFuture<LoadResult> run : runs) {
                final LoadResult one = run.join();
                latency.add(one.latency());
                runsDone += one.requests();
                seconds = Math.max(seconds, one.seconds());
            }
            return new LoadResult("Session.run, batch " + batchSize + ", " + callers + " threads", runsDone, 0,
                    seconds, batchSize, latency);
        } finally {
            threads.shutdownNow();
        }
    }

    /** Runs batches of {@code batchSize} random rows for {@code duration} after {@code warmup}. */
    public LoadResult measure(final int batchSize, final Duration warmup, final Duration duration) {
        final Map<String, HostTensor> inputs = randomInputs(batchSize, 7);
        final List<String> outputs = signature.outputAliases();
        final long warmupEnd = System.nanoTime() + warmup.toNanos();
        while (System.nanoTime() < warmupEnd) {
            model.run(signature, inputs, outputs);
        }
        final Histogram latency = new Histogram(3);
        final long start = System.nanoTime();
        final long end = start + duration.toNanos();
        long runs = 0;
        long now = start;
        while (now < end) {
            model.run(signature, inputs, outputs);
            final long after = System.nanoTime();
            latency.recordValue((after - now) / 1000);
            now = after;
            runs++;
        }
        return new LoadResult("Session.run, batch " + batchSize, runs, 0, (now - start) / 1e9, batchSize, latency);
    }

    /** Random float inputs of the signature's shapes with {@code rows} in dimension 0 (float inputs only). */
    Map<String, HostTensor> randomInputs(final int rows, final long seed) {
        final Random random = new Random(seed);
        final Map<String, HostTensor> inputs = new LinkedHashMap<>();
        for (TensorSpec spec : signature.inputs().values()) {
            if (spec.dtype().orElse(null) != DType.FLOAT || spec.shape().isEmpty()) {
                throw new IllegalArgumentException("the ceiling handles float inputs of known rank; input "
                        + spec.alias() + " is " + spec.dtypeName());
            }
            final List<Long> dims = spec.shape().get().dims();
            final long[] shape = new long[dims.size()];
            shape[0] = rows;
            for (int d = 1; d < shape.length; d++) {
                shape[d] = dims.get(d);
            }
            final long n = HostTensor.numElements(shape);
            final ByteBuffer data = HostTensor.allocate(n * 4);
            for (long i = 0; i < n; i++) {
                data.putFloat(random.nextFloat());
            }
            data.flip();
            inputs.put(spec.alias(), HostTensor.of(DType.FLOAT, shape, data));
        }
        return inputs;
    }
}
