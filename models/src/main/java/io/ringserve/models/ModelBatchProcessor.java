package io.ringserve.models;

import io.ringserve.batching.Batch;
import io.ringserve.batching.BatchProcessor;
import io.ringserve.batching.TaskSlice;
import io.ringserve.batching.Ticker;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Tensor;

/**
 * Runs batches of {@link InferenceTask}s on one signature of one model version, the role of TF Serving's
 * {@code BatchingSession}: concatenates each input of every slice along dimension 0 straight into one TensorFlow
 * tensor (padding to the batch's padded size with copies of the first row), runs the signature once, and hands each
 * task its rows of every output.
 *
 * <p>When a batch of several tasks fails because of what it was fed (TensorFlow's INVALID_ARGUMENT, OUT_OF_RANGE or
 * FAILED_PRECONDITION: an id past an embedding table, a check that refuses a value), it runs again in halves, and
 * halves of those, until the tasks at fault are alone: only they fail, and the others are answered as they would have
 * been without batching; TF Serving fails the whole batch. The cost, about 2 log2(n) smaller model calls for one task
 * at fault among n (a request per batch cannot make every batch cost n calls), is paid only by batches that failed.
 * A batch of one task that fails on its inputs fails that task. Any other failure is thrown to the scheduler, which
 * fails the batch's tasks and logs it.
 *
 * <p>A batch's model call is cancelled by TensorFlow once the last deadline of its tasks has passed
 * ({@link RunTimeouts}), as TF Serving's batching session does: its tasks then fail with DEADLINE_EXCEEDED.
 *
 * <p>Thread-safe: several batch threads may run batches at once. A model whose outputs do not keep dimension 0 (a
 * reduction over the batch) cannot be batched: such a batch fails with {@link ModelExecutionException}, naming the
 * output, and the scheduler fails its tasks.
 */
public final class ModelBatchProcessor implements BatchProcessor<InferenceTask> {
    private final LoadedModel model;
    private final SignatureSpec signature;
    private final List<String> outputAliases;
    private final Ticker ticker;
    private final Runnable rerunInParts;

    /**
     * @param ticker the clock the tasks' deadlines are on (the scheduler's)
     * @param rerunInParts told, on the batch thread, each time a batch that failed on its inputs runs again in parts (a
     *     counter); must not block
     */
    public ModelBatchProcessor(final LoadedModel model, final SignatureSpec signature, final Ticker ticker,
                               final Runnable rerunInParts) {
        this.model = Objects.requireNonNull(model, "model");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.outputAliases = signature.outputAliases();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.rerunInParts = Objects.requireNonNull(rerunInParts, "rerunInParts");
    }

    @Override
    public void process(final Batch<InferenceTask> batch) {
        final List<TaskSlice<InferenceTask>> slices = batch.slices();
        final Map<String, HostTensor> outputs;
        try {
            outputs = run(slices, batch.paddedSize());
        } catch (ModelExecutionException e) {
            if (!failedOnInputs(e)) {
                throw e; // the server's failure: the scheduler fails the batch's tasks and logs it
            }
            if (slices.size() == 1) {
                // The request's own fault: answered with it, not logged as the server's.
                slices.get(0).task().fail(e);
                return;
            }
            // One task's values can fail the whole batch (an id past an embedding table, a NaN a check refuses):
            // the batch runs again in halves until the tasks at fault are alone, and only they fail.
            rerunInParts.run();
            bisect(slices);
            return;
        }
        answer(slices, outputs);
    }

    /**
     * Runs each half of {@code slices} (at least two) as a batch of its own, leaving out tasks no longer wanted: a half
     * that succeeds is answered, a half of one task that fails fails it, and a larger half that fails on its inputs is
     * split again. One task at fault among n costs about 2 log2(n) smaller runs, not n runs of one.
     */
    private void bisect(final List<TaskSlice<InferenceTask>> slices) {
        final int middle = slices.size() / 2;
        for (List<TaskSlice<InferenceTask>> half : List.of(slices.subList(0, middle),
                slices.subList(middle, slices.size()))) {
            final List<TaskSlice<InferenceTask>> wanted = half.stream().filter(s -> !s.task().isCancelled()).toList();
            if (wanted.isEmpty()) {
                continue;
            }
            try {
                answer(wanted, run(wanted, rows(wanted)));
            } catch (RuntimeException e) {
                if (wanted.size() > 1 && e instanceof ModelExecutionException failure && failedOnInputs(failure)) {
                    bisect(wanted);
                } else {
                    wanted.forEach(slice -> slice.task().fail(e));
                }
            }
        }
    }

    private static boolean failedOnInputs(final ModelExecutionException e) {
        return e.kind() == ModelExecutionException.Kind.INVALID_ARGUMENT;
    }

    private static int rows(final List<TaskSlice<InferenceTask>> slices) {
        int rows = 0;
        for (TaskSlice<InferenceTask> slice : slices) {
            rows += slice.rows();
        }
        return rows;
    }

    /** Concatenates the slices' rows of every input (padded to {@code paddedRows}) and runs the signature once. */
    private Map<String, HostTensor> run(final List<TaskSlice<InferenceTask>> slices, final int paddedRows) {
        final Map<String, Tensor> feeds = new LinkedHashMap<>();
        try {
            for (String alias : signature.inputs().keySet()) {
                if (!slices.get(0).task().inputs().containsKey(alias)) {
                    throw new ModelExecutionException(ModelExecutionException.Kind.INVALID_ARGUMENT,
                            "input '" + alias + "' of signature '" + signature.key() + "' is missing");
                }
                feeds.put(alias, TensorInterop.concatRows(alias, slices, paddedRows));
            }
            final Map<String, HostTensor> outputs = model.runFeeds(signature, feeds, outputAliases,
                    RunTimeouts.until(latestDeadline(slices), ticker.nanoTime()));
            requireBatchDimension(outputs, paddedRows);
            return outputs;
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }

    /** The deadline of the task that is wanted longest: the call is worth finishing until then. */
    private static long latestDeadline(final List<TaskSlice<InferenceTask>> slices) {
        long latest = slices.get(0).task().deadlineNanos();
        for (TaskSlice<InferenceTask> slice : slices) {
            // Compared as differences: nanoTime-style clocks may wrap.
            if (slice.task().deadlineNanos() - latest > 0) {
                latest = slice.task().deadlineNanos();
            }
        }
        return latest;
    }

    private static void answer(final List<TaskSlice<InferenceTask>> slices, final Map<String, HostTensor> outputs) {
        int row = 0;
        for (TaskSlice<InferenceTask> slice : slices) {
            slice.task().answer(outputs, row, slice.offset(), slice.rows());
            row += slice.rows();
        }
    }

    private void requireBatchDimension(final Map<String, HostTensor> outputs, final int rows) {
        outputs.forEach((alias, tensor) -> {
            if (tensor.rank() == 0 || tensor.dim(0) != rows) {
                throw new ModelExecutionException(ModelExecutionException.Kind.INTERNAL, "Output '" + alias
                        + "' of signature '" + signature.key() + "' has shape " + Arrays.toString(
                        tensor.shape()) + " for a batch of " + rows + " rows: the model does not keep the batch "
                        + "dimension, so it cannot be served with batching");
            }
        });
    }
}
