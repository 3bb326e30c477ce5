package io.ringserve.models;

import io.ringserve.batching.BatchTask;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request's inputs on their way through a batch queue, and the future of its outputs.
 *
 * <p>Every input has dimension 0 equal to {@link #size()} ({@link #isBatchable} says whether a set of inputs
 * qualifies). Tasks are compatible (may share a batch) when their inputs agree in type and in every dimension past
 * the first, or, for paddable tasks, in type and rank. Outputs arrive from one or more batches (more when the task
 * was split); the future completes once every row has come back. Thread-safe: slices of one task may be answered
 * from different batch threads.
 */
public final class InferenceTask implements BatchTask {
    private final Map<String, HostTensor> inputs;
    private final int size;
    private final long deadlineNanos;
    private final boolean paddable;
    private final List<Object> compatibilityKey;
    private final CompletableFuture<Map<String, HostTensor>> result = new CompletableFuture<>();
    private final Map<String, OutputRows> outputs = new LinkedHashMap<>();
    private final AtomicInteger rowsAnswered = new AtomicInteger();

    /**
     * A task that shares batches only with tasks whose inputs have its shapes past dimension 0.
     *
     * @param inputs the request's tensors by alias; see {@link #isBatchable}
     * @param deadlineNanos when the result stops being wanted, on the scheduler's ticker
     * @throws IllegalArgumentException if the inputs are not batchable
     */
    public InferenceTask(final Map<String, HostTensor> inputs, final long deadlineNanos) {
        this(inputs, deadlineNanos, false);
    }

    /**
     * @param inputs the request's tensors by alias; see {@link #isBatchable}
     * @param deadlineNanos when the result stops being wanted, on the scheduler's ticker
     * @param paddable whether the task may share batches with tasks whose inputs differ from its own past dimension 0
     *     (same types and ranks), each padded to the batch's largest ({@code pad_variable_length_inputs})
     * @throws IllegalArgumentException if the inputs are not batchable
     */
    public InferenceTask(final Map<String, HostTensor> inputs, final long deadlineNanos, final boolean paddable) {
        Objects.requireNonNull(inputs, "inputs");
        if (!isBatchable(inputs)) {
            throw new IllegalArgumentException("inputs are not batchable: " + inputs);
        }
        this.inputs = Map.copyOf(inputs);
        this.size = Math.toIntExact(inputs.values().iterator().next().dim(0));
        this.deadlineNanos = deadlineNanos;
        this.paddable = paddable;
        final List<Object> key = new ArrayList<>();
        new TreeMap<>(inputs).forEach((alias, tensor) -> {
            final long[] shape = tensor.shape();
            key.add(alias);
            key.add(tensor.dtype());
            key.add(paddable ? "rank " + shape.length : Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
        });
        this.compatibilityKey = List.copyOf(key);
    }

    /**
     * Whether this task may share batches with tasks whose inputs differ from its own past dimension 0, each padded
     * to the batch's largest; a batch's tasks are all paddable or none is (they share a compatibility key).
     */
    public boolean paddable() {
        return paddable;
    }

    /**
     * True when the inputs can go through a batch: at least one, each of rank >= 1, all with the same dimension 0,
     * and that dimension at least 1.
     */
    public static boolean isBatchable(final Map<String, HostTensor> inputs) {
        if (inputs.isEmpty()) {
            return false;
        }
        long rows = -1;
        for (HostTensor tensor : inputs.values()) {
            if (tensor.rank() == 0 || tensor.dim(0) < 1 || (rows >= 0 && tensor.dim(0) != rows)) {
                return false;
            }
            rows = tensor.dim(0);
        }
        return rows <= Integer.MAX_VALUE;
    }

    /** The request's input tensors by alias. */
    public Map<String, HostTensor> inputs() {
        return inputs;
    }

    /** The outputs by alias once every row has been computed, or the failure. */
    public CompletableFuture<Map<String, HostTensor>> result() {
        return result;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** A task whose future is already done (timed out, cancelled by its caller) is not worth computing. */
    @Override
    public boolean isCancelled() {
        return result.isDone();
    }

    @Override
    public Object compatibilityKey() {
        return compatibilityKey;
    }

    @Override
    public void fail(final Throwable cause) {
        result.completeExceptionally(cause);
    }

    /**
     * Hands back rows {@code [offset, offset + rows)} of every output; completes the future when the last rows of
     * the task have arrived. Called by the batch processor.
     *
     * @param batchOutputs the batch's outputs by alias, each with this task's rows at {@code batchRow}
     */
    void answer(final Map<String, HostTensor> batchOutputs, final int batchRow, final int offset, final int rows) {
        if (rows == size) {
            // The whole task in one slice, the common case: its outputs are views of the batch's rows, no copy.
            final Map<String, HostTensor> mine = new LinkedHashMap<>();
            batchOutputs.forEach((alias, batched) -> mine.put(alias, batched.sliceRows(batchRow, rows)));
            rowsAnswered.addAndGet(rows);
            result.complete(mine);
            return;
        }
        synchronized (outputs) {
            batchOutputs.forEach((alias, batched) -> outputs.computeIfAbsent(alias, a -> new OutputRows(batched, size))
                    .copy(batched, batchRow, offset, rows));
        }
        if (rowsAnswered.addAndGet(rows) == size) {
            final Map<String, HostTensor> done = new LinkedHashMap<>();
            synchronized (outputs) {
                outputs.forEach((alias, rowsOf) -> done.put(alias, rowsOf.build()));
            }
            result.complete(done);
        }
    }

    /** One output of this task being assembled from batch rows. */
    private static final class OutputRows {
        private final DType dtype;
        private final long[] shape;
        private final int rowElements;
        private final ByteBuffer data;
        private final byte[][] strings;

        OutputRows(final HostTensor like, final int taskRows) {
            this.dtype = like.dtype();
            this.shape = like.shape();
            this.shape[0] = taskRows;
            this.rowElements = Math.toIntExact(HostTensor.numElements(shape) / Math.max(1, taskRows));
            if (dtype == DType.STRING) {
                this.strings = new byte[taskRows * rowElements][];
                this.data = null;
            } else {
                this.data = HostTensor.allocate((long) taskRows * rowElements * dtype.byteSize());
                this.strings = null;
            }
        }

        void copy(final HostTensor batched, final int batchRow, final int offset, final int rows) {
            if (strings != null) {
                for (int i = 0; i < rows * rowElements; i++) {
                    strings[offset * rowElements + i] = batched.stringAt(batchRow * rowElements + i);
                }
                return;
            }
            final int rowBytes = rowElements * dtype.byteSize();
            final ByteBuffer source = batched.data();
            source.position(batchRow * rowBytes).limit((batchRow + rows) * rowBytes);
            data.duplicate().position(offset * rowBytes).put(source);
        }

        HostTensor build() {
            return strings != null ? HostTensor.ofStrings(shape, strings) : HostTensor.of(dtype, shape, data);
        }
    }

    @Override
    public String toString() {
        return "InferenceTask{rows=" + size + ", inputs=" + inputs.keySet() + "}";
    }
}
