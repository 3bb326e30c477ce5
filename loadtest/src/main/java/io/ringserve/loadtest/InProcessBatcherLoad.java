package io.ringserve.loadtest;

import io.ringserve.batching.BatchScheduler;
import io.ringserve.batching.BatchSchedulers;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.Ticker;
import io.ringserve.batching.TaskExpiredException;
import io.ringserve.batching.TaskRejectedException;
import io.ringserve.models.HostTensor;
import io.ringserve.models.InferenceTask;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelBatchProcessor;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The batcher without a transport: {@code concurrency} requests always in flight through one model's micro-batcher
 * (the server's {@link ModelBatchProcessor} behind a {@link BatchScheduler} with the server's batching options), each
 * answered on one intake thread that stands in for a server's event loop and schedules the next request: a fresh
 * copy of the same row, as a decoded request would be. Set beside the in-process {@code Session.run} ceiling and a
 * served load, it splits what is lost into what batching itself costs and what the transport costs.
 *
 * <p>One {@link #run} per instance. Thread-safe otherwise: answers are counted on the intake thread while the
 * caller measures.
 */
public final class InProcessBatcherLoad implements AutoCloseable {
    private static final long DEADLINE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final BatchScheduler<InferenceTask> scheduler;
    private final ExecutorService intake = Executors.newSingleThreadExecutor(
            task -> new Thread(task, "batcher-load-intake"));
    private final Map<String, HostTensor> row;
    private final int rowsPerRequest;
    private final ClosedLoopTally tally = new ClosedLoopTally();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean running;

    /**
     * @param row the inputs of one request, by alias: every input with the same dimension 0 (the rows per request)
     * @throws IllegalArgumentException if {@code row} cannot go through a batch ({@link InferenceTask#isBatchable})
     */
    public InProcessBatcherLoad(final LoadedModel model, final SignatureSpec signature, final BatchingOptions options,
                                final Map<String, HostTensor> row) {
        if (!InferenceTask.isBatchable(row)) {
            throw new IllegalArgumentException("a request of " + row + " cannot go through a batch");
        }
        this.row = Map.copyOf(row);
        this.rowsPerRequest = Math.toIntExact(row.values().iterator().next().dim(0));
        this.scheduler = BatchSchedulers.builder(new ModelBatchProcessor(model, signature, Ticker.system(), () -> { }))
                .name("batcher-load-" + model.name())
                .options(Objects.requireNonNull(options, "options"))
                .build();
    }

    /**
     * Loads the newest version under {@code baseDir} with {@code session}, keeps {@code concurrency} one-row requests
     * of random floats in flight through a batcher with {@code options} for {@code duration} after {@code warmup}
     * (blocking), and unloads it.
     *
     * @throws IllegalArgumentException if the model cannot be loaded, has no such signature, or takes other than
     *     float inputs of known rank
     */
    public static LoadResult measure(final Path baseDir, final String signatureKey, final SessionOptions session,
                                     final BatchingOptions options, final int concurrency, final Duration warmup,
                                     final Duration duration) throws InterruptedException {
        try (ModelRegistry registry = new ModelRegistry(new SavedModelLoader(session))) {
            registry.add("batcher", baseDir);
            registry.loadAll();
            final LoadedModel model = registry.get("batcher").flatMap(ServedModel::latest)
                    .orElseThrow(() -> new IllegalArgumentException("cannot load a SavedModel from " + baseDir));
            final SignatureSpec signature = model.signature(signatureKey).orElseThrow(() ->
                    new IllegalArgumentException("model " + model.name() + " has no signature " + signatureKey));
            final Map<String, HostTensor> row = new SessionRunCeiling(model, signatureKey).randomInputs(1, 11);
            try (InProcessBatcherLoad load = new InProcessBatcherLoad(model, signature, options, row)) {
                return load.run("Batcher in process, " + concurrency + " requests in flight, no transport",
                        concurrency, warmup, duration);
            }
        }
    }

    /**
     * Keeps {@code concurrency} requests in flight; measures for {@code duration} after {@code warmup}, blocking for
     * both, and stops sending when it returns.
     *
     * @throws IllegalStateException when called a second time
     */
    public LoadResult run(final String label, final int concurrency, final Duration warmup, final Duration duration)
            throws InterruptedException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("one run per InProcessBatcherLoad");
        }
        running = true;
        for (int i = 0; i < concurrency; i++) {
            intake.execute(this::send);
        }
        try {
            return tally.measure(label, warmup, duration, rowsPerRequest);
        } finally {
            running = false;
        }
    }

    /** On the intake thread: one request, whose answer (on the intake thread too) sends the next. */
    private void send() {
        if (!running) {
            return;
        }
        final long sent = System.nanoTime();
        final InferenceTask task = new InferenceTask(freshCopy(row), sent + DEADLINE_NANOS);
        task.result().whenCompleteAsync((outputs, failure) -> {
            tally.answered(failure == null ? AnswerKind.OK : kindOf(failure), (System.nanoTime() - sent) / 1000);
            send();
        }, intake);
        try {
            scheduler.schedule(task);
        } catch (RuntimeException e) {
            task.fail(e);
        }
    }

    /** A task's own failure, as the batcher or {@link #send} gave it to {@link InferenceTask#fail}: never wrapped. */
    private static AnswerKind kindOf(final Throwable failure) {
        if (failure instanceof TaskRejectedException) {
            return AnswerKind.REJECTED;
        }
        return failure instanceof TaskExpiredException ? AnswerKind.EXPIRED : AnswerKind.OTHER;
    }

    private static Map<String, HostTensor> freshCopy(final Map<String, HostTensor> inputs) {
        final Map<String, HostTensor> copy = new LinkedHashMap<>();
        inputs.forEach((alias, tensor) -> {
            final ByteBuffer data = HostTensor.allocate(tensor.data().remaining());
            data.put(tensor.data()).flip();
            copy.put(alias, HostTensor.of(tensor.dtype(), tensor.shape(), data));
        });
        return copy;
    }

    /** Stops sending, lets the batcher finish what it holds (up to 5 s) and stops the intake thread. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        scheduler.close(Duration.ofSeconds(5));
        intake.shutdown();
        intake.awaitTermination(5, TimeUnit.SECONDS);
    }
}
