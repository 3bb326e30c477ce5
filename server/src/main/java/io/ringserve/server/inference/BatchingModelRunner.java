package io.ringserve.server.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.ringserve.batching.BatchScheduler;
import io.ringserve.batching.BatchSchedulers;
import io.ringserve.batching.BatchingMetrics;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.TaskExpiredException;
import io.ringserve.batching.TaskRejectedException;
import io.ringserve.batching.TaskTooLargeException;
import io.ringserve.batching.Ticker;
import io.ringserve.models.HostTensor;
import io.ringserve.models.InferenceTask;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelBatchProcessor;
import io.ringserve.models.ModelExecutionException;
import io.ringserve.models.SignatureSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs requests through the micro-batcher: one {@link BatchScheduler} per (model, version, signature), created on
 * first use with the options {@code optionsFor} gives for that model version. Requests that cannot share a batch
 * (a scalar input, inputs disagreeing on dimension 0) run alone on the {@code fallback} runner. Thread-safe.
 */
public final class BatchingModelRunner implements ModelRunner {
    /** Batches that ran again in parts after failing on their inputs ({@link ModelBatchProcessor}). */
    public static final String BATCH_RERUNS = "inference.batch.reruns";
    private static final String SHUTTING_DOWN = "The server is shutting down; retry on another replica";
    private static final Logger LOG = LoggerFactory.getLogger(BatchingModelRunner.class);

    private final Function<LoadedModel, BatchingOptions> optionsFor;
    private final ModelRunner fallback;
    private final MeterRegistry meterRegistry;
    private final Ticker ticker;
    private final ObjLongConsumer<String> computeObserver;
    private final BatchingMetrics.Listener batchingListener;
    private final Map<QueueKey, Queue> schedulers = new ConcurrentHashMap<>();
    /** Queues open per meter tags (the same version number loaded twice shares them); guarded by itself. */
    private final Map<Tags, Integer> queuesPerTags = new java.util.HashMap<>();
    private volatile boolean shutDown;

    /**
     * @param optionsFor the batching options of a model version (the parameters file, or the model's own)
     * @param fallback runs requests that cannot be batched
     * @param meterRegistry where each queue's meters go, tagged with model, version and signature
     * @param ticker the clock deadlines are on; {@link System#nanoTime()} in production
     * @param computeObserver told the model name and the nanoseconds of every batch's model call
     */
    public BatchingModelRunner(final Function<LoadedModel, BatchingOptions> optionsFor, final ModelRunner fallback,
                               final MeterRegistry meterRegistry, final Ticker ticker,
                               final ObjLongConsumer<String> computeObserver) {
        this(optionsFor, fallback, meterRegistry, ticker, computeObserver, BatchingMetrics.Listener.NONE);
    }

    /**
     * @param batchingListener also told every queue's waits and batches, on the batch threads (TF Serving's
     *     batching-session metrics)
     */
    public BatchingModelRunner(final Function<LoadedModel, BatchingOptions> optionsFor, final ModelRunner fallback,
                               final MeterRegistry meterRegistry, final Ticker ticker,
                               final ObjLongConsumer<String> computeObserver,
                               final BatchingMetrics.Listener batchingListener) {
        this.batchingListener = Objects.requireNonNull(batchingListener, "batchingListener");
        this.optionsFor = Objects.requireNonNull(optionsFor, "optionsFor");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.computeObserver = Objects.requireNonNull(computeObserver, "computeObserver");
    }

    @Override
    public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel model, final SignatureSpec signature,
                                                          final Map<String, HostTensor> inputs,
                                                          final List<String> outputs, final long deadlineNanos) {
        if (!InferenceTask.isBatchable(inputs) || !inputs.keySet().containsAll(signature.inputs().keySet())) {
            return fallback.run(model, signature, inputs, outputs, deadlineNanos);
        }
        if (shutDown) {
            return CompletableFuture.failedFuture(new ServingException(StatusCode.UNAVAILABLE, SHUTTING_DOWN));
        }
        if (model.isRetired()) {
            // A request that held its version past the drain timeout: its queues are gone, and one made now would
            // run on a closed session and never be closed itself.
            return unloaded(model);
        }
        final QueueKey key = new QueueKey(model, signature.key());
        final Queue queue = queue(key, signature);
        if (shutDown || model.isRetired()) {
            // Shut down or retired while the queue was found or made: either this sees the flag or the sweep that
            // follows it sees the queue, so none is left behind. Closed off this thread: closing joins batch threads.
            if (schedulers.remove(key, queue)) {
                closeInBackground(queue, key);
            }
            return shutDown ? CompletableFuture.failedFuture(new ServingException(StatusCode.UNAVAILABLE,
                    SHUTTING_DOWN)) : unloaded(model);
        }
        final Map<String, HostTensor> fed = new LinkedHashMap<>();
        signature.inputs().keySet().forEach(alias -> fed.put(alias, inputs.get(alias)));
        final InferenceTask task = new InferenceTask(fed, deadlineNanos, queue.padVariableLengthInputs());
        final CompletableFuture<Map<String, HostTensor>> answer = new CompletableFuture<>();
        // The version stays open until the answer is settled (ModelRegistry#refresh retires versions).
        model.acquire();
        answer.whenComplete((value, failure) -> model.release());
        // An answer completed from outside (a timeout, a cancelled call) cancels the queued task.
        answer.whenComplete((value, failure) -> {
            if (failure != null) {
                task.result().completeExceptionally(failure);
            }
        });
        task.result().whenComplete((all, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(translate(failure));
            } else {
                answer.complete(select(all, outputs));
            }
        });
        try {
            queue.scheduler().schedule(task);
        } catch (TaskRejectedException e) {
            answer.completeExceptionally(new ServingException(StatusCode.UNAVAILABLE, e.getMessage()));
        } catch (TaskTooLargeException e) {
            answer.completeExceptionally(ServingException.invalidArgument(e.getMessage()));
        } catch (IllegalStateException e) { // the queue closed since: shutdown or retirement got there first
            answer.completeExceptionally(model.isRetired() && !shutDown ? unloadedException(model)
                    : new ServingException(StatusCode.UNAVAILABLE, SHUTTING_DOWN));
        }
        return answer;
    }

    private static CompletableFuture<Map<String, HostTensor>> unloaded(final LoadedModel model) {
        return CompletableFuture.failedFuture(unloadedException(model));
    }

    private static ServingException unloadedException(final LoadedModel model) {
        return new ServingException(StatusCode.UNAVAILABLE, "version " + model.version() + " of model "
                + model.name() + " was unloaded; retry for the current one");
    }

    /** On the fallback runner: a signature made for one request must not get a batching queue of its own. */
    @Override
    public CompletableFuture<Map<String, HostTensor>> runAlone(final LoadedModel model, final SignatureSpec signature,
                                                                final Map<String, HostTensor> inputs,
                                                                final List<String> outputs, final long deadlineNanos) {
        return fallback.run(model, signature, inputs, outputs, deadlineNanos);
    }

    /** The queue of {@code queueKey}, made on first use for {@code signature} (the key's signature). */
    private Queue queue(final QueueKey queueKey, final SignatureSpec signature) {
        final LoadedModel model = queueKey.model();
        return schedulers.computeIfAbsent(queueKey, key -> {
            final BatchingOptions options = optionsFor.apply(model);
            LOG.info("Batching {} version {} signature {} with {}", model.name(), model.version(), key.signature(),
                    options);
            final Tags tags = meterTags(key);
            synchronized (queuesPerTags) {
                queuesPerTags.merge(tags, 1, Integer::sum);
            }
            final Counter reruns = Counter.builder(BATCH_RERUNS).tags(tags)
                    .description("Batches that failed on what they were fed and ran again in halves until the "
                            + "requests at fault were alone")
                    .register(meterRegistry);
            final ModelBatchProcessor processor = new ModelBatchProcessor(model, signature, ticker,
                    reruns::increment);
            final BatchScheduler<InferenceTask> scheduler = BatchSchedulers.<InferenceTask>builder(batch -> {
                final long start = System.nanoTime();
                try {
                    // The batch's answers reach their event loops together, one wake-up each (AnswerHandoff).
                    AnswerHandoff.gathering(() -> processor.process(batch));
                } finally {
                    computeObserver.accept(model.name(), System.nanoTime() - start);
                }
            })
                    .name(model.name() + "-" + model.version() + "-" + key.signature())
                    .options(options)
                    .metrics(new BatchingMetrics(meterRegistry, tags, batchingListener))
                    .ticker(ticker)
                    .build();
            return new Queue(scheduler, options.padVariableLengthInputs());
        });
    }

    private static Map<String, HostTensor> select(final Map<String, HostTensor> all, final List<String> outputs) {
        final Map<String, HostTensor> selected = new LinkedHashMap<>();
        outputs.forEach(alias -> selected.put(alias, all.get(alias)));
        return selected;
    }

    private static Throwable translate(final Throwable failure) {
        final Throwable cause = ServingException.unwrap(failure);
        if (cause instanceof ServingException) {
            return cause;
        }
        if (cause instanceof TaskExpiredException) {
            return new ServingException(StatusCode.DEADLINE_EXCEEDED, cause.getMessage());
        }
        if (cause instanceof ModelExecutionException e) {
            return new ServingException(InferenceExecutor.statusOf(e.kind()), e.getMessage(), e);
        }
        return new ServingException(StatusCode.INTERNAL, "Batch failed: " + cause, cause);
    }

    /**
     * Closes the batching queues of a version taken out of service; no request holds it any more. Only that loaded
     * version's: the same version number loaded again meanwhile (from another base path, say) has queues of its own.
     */
    @Override
    public void retire(final LoadedModel model) {
        model.markRetired();
        closeQueuesOf(model);
    }

    /**
     * Removes and closes {@code model}'s queues, each by whoever removes it, and drops their meters. Blocks up to a
     * second a queue.
     */
    private void closeQueuesOf(final LoadedModel model) {
        for (Map.Entry<QueueKey, Queue> entry : schedulers.entrySet()) {
            if (entry.getKey().model() == model && schedulers.remove(entry.getKey(), entry.getValue())) {
                close(entry.getValue());
                removeMeters(entry.getKey());
            }
        }
    }

    private static Tags meterTags(final QueueKey key) {
        return Tags.of("model", key.model().name(), "version", Long.toString(key.model().version()), "signature",
                key.signature());
    }

    /**
     * Drops the meters of a closed queue, so that every version a model ever had does not stay in the scrape; kept
     * while a queue with the same tags serves (the same version number loaded again, from another base path).
     */
    private void removeMeters(final QueueKey closed) {
        final Tags tags = meterTags(closed);
        synchronized (queuesPerTags) {
            // Counted when a queue is made, before its meters are registered: one being made now keeps them.
            if (queuesPerTags.merge(tags, -1, Integer::sum) > 0) {
                return;
            }
            queuesPerTags.remove(tags);
            final List<Tag> wanted = tags.stream().toList();
            for (Meter meter : List.copyOf(meterRegistry.getMeters())) {
                if (meter.getId().getTags().containsAll(wanted)) {
                    meterRegistry.remove(meter);
                }
            }
        }
    }

    private static void close(final Queue queue) {
        try {
            queue.scheduler().close(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes {@code queue} and drops its meters on a thread of its own, for callers that must not block. */
    private void closeInBackground(final Queue queue, final QueueKey key) {
        final Thread closer = new Thread(() -> {
            close(queue);
            removeMeters(key);
        }, "ringserve-queue-close");
        closer.setDaemon(true);
        closer.start();
    }

    @Override
    public boolean shutdown(final Duration drain) throws InterruptedException {
        shutDown = true; // no new queues (a version a poll loads meanwhile warms up through the fallback's refusal)
        boolean drained = true;
        for (Queue queue : schedulers.values()) {
            drained &= queue.scheduler().close(drain);
        }
        return fallback.shutdown(drain) && drained;
    }

    /**
     * A batching queue's key: the loaded version itself (by identity, so that a version number loaded again gets
     * queues of its own, bound to its own session) and the signature.
     */
    private record QueueKey(LoadedModel model, String signature) {
    }

    /** One batching queue, and whether its tasks are padded to share batches ({@code pad_variable_length_inputs}). */
    private record Queue(BatchScheduler<InferenceTask> scheduler, boolean padVariableLengthInputs) {
    }
}
