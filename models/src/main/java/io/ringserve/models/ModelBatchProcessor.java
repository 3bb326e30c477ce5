package io.ringserve.models;

import io.ringserve.batching.Batch;
import io.ringserve.batching.BatchProcessor;
import io.ringserve.batching.TaskSlice;
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
 * <p>Thread-safe: several batch threads may run batches at once. A model whose outputs do not keep dimension 0 (a
 * reduction over the batch) cannot be batched: such a batch fails with {@link ModelExecutionException}, naming the
 * output, and the scheduler fails its tasks.
 */
public final class ModelBatchProcessor implements BatchProcessor<InferenceTask> {
    private final LoadedModel model;
    private final SignatureSpec signature;
    private final List<String> outputAliases;

    public ModelBatchProcessor(final LoadedModel model, final SignatureSpec signature) {
        this.model = Objects.requireNonNull(model, "model");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.outputAliases = signature.outputAliases();
    }

    @Override
    public void process(final Batch<InferenceTask> batch) {
        final List<TaskSlice<InferenceTask>> slices = batch.slices();
        final Map<String, Tensor> feeds = new LinkedHashMap<>();
        final Map<String, HostTensor> outputs;
        try {
            for (String alias : signature.inputs().keySet()) {
                if (!slices.get(0).task().inputs().containsKey(alias)) {
                    throw new ModelExecutionException(ModelExecutionException.Kind.INVALID_ARGUMENT,
                            "input '" + alias + "' of signature '" + signature.key() + "' is missing");
                }
                feeds.put(alias, TensorInterop.concatRows(alias, slices, batch.paddedSize()));
            }
            outputs = model.runFeeds(signature, feeds, outputAliases);
        } finally {
            feeds.values().forEach(Tensor::close);
        }
        requireBatchDimension(outputs, batch.paddedSize());
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
