package io.ringserve.models;

import io.ringserve.batching.TaskSlice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.RawTensor;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Moves tensors between Java memory and TensorFlow: one bulk copy of the raw bytes for fixed-width types, one
 * pass over the elements for strings. Stateless and thread-safe.
 */
final class TensorInterop {
    private static final Map<DType, Class<? extends TType>> TF_TYPES = new EnumMap<>(DType.class);

    static {
        TF_TYPES.put(DType.FLOAT, TFloat32.class);
        TF_TYPES.put(DType.DOUBLE, TFloat64.class);
        TF_TYPES.put(DType.INT32, TInt32.class);
        TF_TYPES.put(DType.INT64, TInt64.class);
        TF_TYPES.put(DType.UINT8, TUint8.class);
        TF_TYPES.put(DType.UINT16, TUint16.class);
        TF_TYPES.put(DType.BOOL, TBool.class);
        TF_TYPES.put(DType.HALF, TFloat16.class);
        TF_TYPES.put(DType.BFLOAT16, TBfloat16.class);
        TF_TYPES.put(DType.STRING, TString.class);
    }

    private TensorInterop() {
    }

    /**
     * A new TensorFlow tensor with the contents of {@code host}; the caller owns and must close it.
     *
     * @throws ModelExecutionException of kind UNIMPLEMENTED if TensorFlow Java has no tensor class for the type
     */
    static Tensor toTensorFlow(final HostTensor host) {
        final Shape shape = Shape.of(host.shape());
        if (host.dtype() == DType.STRING) {
            final int n = Math.toIntExact(host.numElements());
            final byte[][] values = new byte[n][];
            for (int i = 0; i < n; i++) {
                values[i] = host.stringAt(i);
            }
            return TString.tensorOfBytes(shape, DataBuffers.ofObjects(values));
        }
        final Tensor tensor = Tensor.of(tfType(host.dtype()), shape);
        try {
            final ByteDataBuffer target = tensor.asRawTensor().data();
            if (host.rank() == 0) {
                final byte[] scalar = new byte[host.dtype().byteSize()];
                host.data().get(scalar);
                target.write(scalar);
            } else if (host.numElements() > 0) {
                host.copyRows(0, host.dim(0), (array, offset, length) -> target.write(array, offset, length));
            }
            return tensor;
        } catch (RuntimeException e) {
            tensor.close();
            throw e;
        }
    }

    /**
     * One TensorFlow tensor holding input {@code alias} of every slice, concatenated along dimension 0 and padded to
     * {@code paddedRows} with copies of the first row: one copy of each row, straight into TensorFlow's memory. The
     * caller owns and must close the tensor. All slices' inputs share type and rank; when their dimensions past the
     * first differ (tasks batched with {@code pad_variable_length_inputs}), each is first padded to the largest
     * ({@link HostTensor#padRows}).
     */
    static Tensor concatRows(final String alias, final List<TaskSlice<InferenceTask>> slices, final int paddedRows) {
        final List<Rows> rows = new ArrayList<>(slices.size());
        // Only tasks batched with pad_variable_length_inputs can differ past dimension 0: the others are not scanned.
        final long[] inner = slices.get(0).task().paddable() ? widestInnerShape(alias, slices) : null;
        for (TaskSlice<InferenceTask> slice : slices) {
            final HostTensor input = slice.task().inputs().get(alias);
            rows.add(inner == null ? new Rows(input, slice.offset(), slice.rows())
                    : new Rows(input.padRows(slice.offset(), slice.rows(), inner), 0, slice.rows()));
        }
        final HostTensor first = rows.get(0).tensor();
        final long[] shape = first.shape();
        shape[0] = paddedRows;
        if (first.dtype() == DType.STRING) {
            return concatStrings(rows, shape);
        }
        final Tensor tensor = Tensor.of(tfType(first.dtype()), Shape.of(shape));
        try {
            final ByteDataBuffer target = tensor.asRawTensor().data();
            final long[] position = {0};
            final HostTensor.ByteRangeSink append = (array, offset, length) -> {
                target.offset(position[0]).write(array, offset, length);
                position[0] += length;
            };
            int done = 0;
            for (Rows part : rows) {
                part.tensor().copyRows(part.from(), part.count(), append);
                done += part.count();
            }
            for (; done < paddedRows; done++) {
                first.copyRows(rows.get(0).from(), 1, append);
            }
            return tensor;
        } catch (RuntimeException e) {
            tensor.close();
            throw e;
        }
    }

    /** Rows {@code [from, from + count)} of a tensor. */
    private record Rows(HostTensor tensor, int from, int count) {
    }

    /**
     * The largest of every dimension past the first among the slices' inputs {@code alias}, or null when they all have
     * the same shape past the first (the common case: nothing to pad).
     */
    private static long[] widestInnerShape(final String alias, final List<TaskSlice<InferenceTask>> slices) {
        final long[] first = slices.get(0).task().inputs().get(alias).shape();
        final long[] widest = Arrays.copyOfRange(first, 1, first.length);
        boolean differ = false;
        for (TaskSlice<InferenceTask> slice : slices) {
            final HostTensor input = slice.task().inputs().get(alias);
            for (int k = 1; k < first.length; k++) {
                differ |= input.dim(k) != first[k];
                widest[k - 1] = Math.max(widest[k - 1], input.dim(k));
            }
        }
        return differ ? widest : null;
    }

    private static Tensor concatStrings(final List<Rows> rows, final long[] shape) {
        final int total = Math.toIntExact(HostTensor.numElements(shape));
        final int rowElements = shape[0] == 0 ? 0 : (int) (total / shape[0]);
        final byte[][] values = new byte[total][];
        int next = 0;
        for (Rows part : rows) {
            for (int i = part.from() * rowElements; i < (part.from() + part.count()) * rowElements; i++) {
                values[next++] = part.tensor().stringAt(i);
            }
        }
        final int firstRow = rows.get(0).from() * rowElements;
        final HostTensor first = rows.get(0).tensor();
        while (next < total) {
            values[next] = first.stringAt(firstRow + next % rowElements);
            next++;
        }
        return TString.tensorOfBytes(Shape.of(shape), DataBuffers.ofObjects(values));
    }

    /** A host copy of {@code tensor}; the tensor stays owned by the caller. */
    static HostTensor toHost(final Tensor tensor) {
        final long[] shape = tensor.shape().asArray();
        final DType dtype = DType.fromProtoNumber(tensor.dataType().getNumber())
                .filter(DType::isRunnable)
                .orElseThrow(() -> new ModelExecutionException(ModelExecutionException.Kind.UNIMPLEMENTED,
                        "output type " + tensor.dataType() + " is not supported"));
        if (dtype == DType.STRING) {
            final int n = Math.toIntExact(HostTensor.numElements(shape));
            final DataBuffer<byte[]> buffer = DataBuffers.ofObjects(byte[].class, n);
            ((TString) tensor).asBytes().copyTo(org.tensorflow.ndarray.NdArrays.wrap(tensor.shape(), buffer));
            final byte[][] values = new byte[n][];
            for (int i = 0; i < n; i++) {
                values[i] = buffer.getObject(i);
            }
            return HostTensor.ofStrings(shape, values);
        }
        final RawTensor raw = tensor.asRawTensor();
        final ByteDataBuffer data = raw.data();
        final ByteBuffer copy = HostTensor.allocate(HostTensor.numElements(shape) * dtype.byteSize());
        data.read(copy.array(), copy.arrayOffset(), copy.remaining());
        return HostTensor.of(dtype, shape, copy);
    }

    private static Class<? extends TType> tfType(final DType dtype) {
        final Class<? extends TType> type = TF_TYPES.get(dtype);
        if (type == null) {
            throw new ModelExecutionException(ModelExecutionException.Kind.UNIMPLEMENTED,
                    "TensorFlow Java cannot feed tensors of type " + dtype.typeName());
        }
        return type;
    }
}
