package io.ringserve.models;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor in Java memory: a type, a shape and the elements in row-major order.
 *
 * <p>Fixed-width types keep their elements in one little-endian {@link ByteBuffer} (the layout TensorFlow uses on
 * x86-64 and ARM), so a host tensor crosses into TensorFlow with a single bulk copy. {@link DType#STRING} tensors
 * keep one {@code byte[]} per element.
 *
 * <p>Instances are immutable once built and safe to share between threads; accessors never expose the backing
 * buffer for writing.
 */
public final class HostTensor {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;
    private final byte[][] strings;

    private HostTensor(final DType dtype, final long[] shape, final ByteBuffer data, final byte[][] strings) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
        this.strings = strings;
    }

    /**
     * A fixed-width tensor over {@code data}, which holds exactly {@code numElements(shape) * dtype.byteSize()}
     * bytes between its position and limit. The buffer is taken over, not copied: the caller must not change it.
     *
     * @throws IllegalArgumentException if the type is STRING or the byte count does not match the shape
     */
    public static HostTensor of(final DType dtype, final long[] shape, final ByteBuffer data) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        if (dtype == DType.STRING) {
            throw new IllegalArgumentException("string tensors hold byte[] elements; use ofStrings");
        }
        final long expected = byteSize(dtype, shape);
        if (data.remaining() != expected) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected + " bytes, got "
                            + data.remaining());
        }
        final ByteBuffer view = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new HostTensor(dtype, shape.clone(), view, null);
    }

    /**
     * A string tensor; {@code values.length} must equal the number of elements of {@code shape}. The array is
     * taken over, not copied.
     */
    public static HostTensor ofStrings(final long[] shape, final byte[][] values) {
        Objects.requireNonNull(values, "values");
        if (values.length != numElements(shape)) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + numElements(shape) + " strings, got "
                            + values.length);
        }
        return new HostTensor(DType.STRING, shape.clone(), null, values);
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static HostTensor ofFloats(final long[] shape, final float... values) {
        final ByteBuffer buffer = allocate(values.length * 4L);
        buffer.asFloatBuffer().put(values);
        return of(DType.FLOAT, shape, buffer);
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static HostTensor ofLongs(final long[] shape, final long... values) {
        final ByteBuffer buffer = allocate(values.length * 8L);
        buffer.asLongBuffer().put(values);
        return of(DType.INT64, shape, buffer);
    }

    /**
     * The most elements a host tensor of {@code dtype} holds: its data lives in one Java array or buffer, so at most
     * {@link Integer#MAX_VALUE} elements, and for fixed-width types at most that many bytes.
     */
    public static long maxElements(final DType dtype) {
        return dtype == DType.STRING ? Integer.MAX_VALUE : Integer.MAX_VALUE / dtype.byteSize();
    }

    /** A little-endian heap buffer of {@code bytes} bytes. */
    public static ByteBuffer allocate(final long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes exceeds 2 GiB");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The product of the dimensions; 1 for a scalar (empty shape).
     *
     * @throws IllegalArgumentException if a dimension is negative, or the product does not fit in a {@code long}
     */
    public static long numElements(final long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more elements than a tensor can hold", e);
            }
        }
        return n;
    }

    /**
     * The bytes a fixed-width tensor of {@code dtype} and {@code shape} holds.
     *
     * @throws IllegalArgumentException if the type is STRING (no fixed width), or the count does not fit in a
     *     {@code long}
     */
    public static long byteSize(final DType dtype, final long[] shape) {
        if (dtype == DType.STRING) {
            throw new IllegalArgumentException("string tensors have no fixed byte size");
        }
        try {
            return Math.multiplyExact(numElements(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype
                    + " has more bytes than a tensor can hold", e);
        }
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** The shape's rank (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i} of the shape. */
    public long dim(final int i) {
        return shape[i];
    }

    public long numElements() {
        return numElements(shape);
    }

    /** A read-only little-endian view of the element bytes; empty for STRING tensors. */
    public ByteBuffer data() {
        if (data == null) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Rows {@code [from, from + rows)} of this tensor (dimension 0), sharing its memory: no element is copied.
     *
     * @throws IllegalArgumentException for a scalar or rows outside the tensor
     */
    public HostTensor sliceRows(final long from, final long rows) {
        if (shape.length == 0 || from < 0 || rows < 0 || from + rows > shape[0]) {
            throw new IllegalArgumentException("rows [" + from + ", " + (from + rows) + ") outside shape "
                    + Arrays.toString(shape));
        }
        final long[] sliced = shape.clone();
        sliced[0] = rows;
        final long rowElements = shape[0] == 0 ? 0 : numElements(shape) / shape[0];
        if (dtype == DType.STRING) {
            return new HostTensor(dtype, sliced, null, Arrays.copyOfRange(strings,
                    Math.toIntExact(from * rowElements), Math.toIntExact((from + rows) * rowElements)));
        }
        final int rowBytes = Math.toIntExact(rowElements * dtype.byteSize());
        final ByteBuffer view = data.duplicate().position(Math.toIntExact(from * rowBytes))
                .limit(Math.toIntExact((from + rows) * rowBytes)).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new HostTensor(dtype, sliced, view, null);
    }

    /**
     * Rows {@code [from, from + rows)} of this tensor grown to the dimensions {@code padded} past the first (each at
     * least this tensor's), as TF Serving pads variable-length inputs: every element that is not this tensor's takes
     * the value of this tensor's first element (zero, or an empty string, when it has none). A new tensor; this one is
     * unchanged.
     *
     * @throws IllegalArgumentException if {@code padded} has another rank or a dimension smaller than this tensor's
     */
    public HostTensor padRows(final int from, final int rows, final long[] padded) {
        if (shape.length == 1 && padded.length == 0) {
            return sliceRows(from, rows);
        }
        if (shape.length == 0 || padded.length != shape.length - 1) {
            throw new IllegalArgumentException("cannot pad shape " + Arrays.toString(shape) + " to inner dimensions "
                    + Arrays.toString(padded));
        }
        final long[] target = new long[shape.length];
        target[0] = rows;
        for (int k = 1; k < shape.length; k++) {
            if (padded[k - 1] < shape[k]) {
                throw new IllegalArgumentException("cannot pad shape " + Arrays.toString(shape)
                        + " down to inner dimensions " + Arrays.toString(padded));
            }
            target[k] = padded[k - 1];
        }
        final int total = Math.toIntExact(numElements(target));
        final boolean hasFirst = numElements(shape) > 0;
        // Runs of the last dimension: the source's, placed at their offset in the padded layout.
        final int run = Math.toIntExact(shape[shape.length - 1]);
        final int[] sourceOffsets = runOffsets(shape, from, rows, shape);
        final int[] targetOffsets = runOffsets(target, 0, rows, shape);
        if (dtype == DType.STRING) {
            final byte[][] values = new byte[total][];
            Arrays.fill(values, hasFirst ? strings[0] : new byte[0]);
            for (int r = 0; r < sourceOffsets.length; r++) {
                System.arraycopy(strings, sourceOffsets[r], values, targetOffsets[r], run);
            }
            return new HostTensor(dtype, target, null, values);
        }
        final int width = dtype.byteSize();
        final byte[] bytes = new byte[total * width];
        if (hasFirst) {
            for (int b = 0; b < width; b++) {
                final byte value = data.get(b);
                if (value != 0) {
                    for (int i = b; i < bytes.length; i += width) {
                        bytes[i] = value;
                    }
                }
            }
        }
        final ByteBuffer source = data.duplicate();
        for (int r = 0; r < sourceOffsets.length; r++) {
            source.position(sourceOffsets[r] * width);
            source.get(bytes, targetOffsets[r] * width, run * width);
        }
        return new HostTensor(dtype, target, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), null);
    }

    /**
     * The element offsets, in a tensor of {@code layout}, of the runs of the last dimension of a tensor of
     * {@code runs} (whose dimensions past the first are at most {@code layout}'s) in rows {@code [from, from + rows)},
     * row-major: where each of the smaller tensor's runs starts in the larger layout.
     */
    private static int[] runOffsets(final long[] layout, final int from, final int rows, final long[] runs) {
        final int rank = layout.length;
        int count = rows;
        for (int k = 1; k < rank - 1; k++) {
            count = Math.multiplyExact(count, Math.toIntExact(runs[k]));
        }
        final int[] offsets = new int[count];
        for (int r = 0; r < count; r++) {
            // Run r's index in the dimensions before the last, innermost first; the rest is its row.
            long rest = r;
            long offset = 0;
            long stride = layout[rank - 1];
            for (int k = rank - 2; k >= 1; k--) {
                offset += rest % runs[k] * stride;
                rest /= runs[k];
                stride *= layout[k];
            }
            offsets[r] = Math.toIntExact(offset + (from + rest) * stride);
        }
        return offsets;
    }

    /**
     * Copies the bytes of rows {@code [fromRow, fromRow + rows)} of a fixed-width tensor to {@code sink} as
     * (array, offset, length) ranges, without an intermediate copy for heap-backed tensors.
     */
    void copyRows(final long fromRow, final long rows, final ByteRangeSink sink) {
        final long rowBytes = shape.length == 0 ? dtype.byteSize()
                : numElements(shape) / Math.max(1, shape[0]) * dtype.byteSize();
        final int from = Math.toIntExact(fromRow * rowBytes);
        final int length = Math.toIntExact(rows * rowBytes);
        if (data.hasArray()) {
            sink.accept(data.array(), data.arrayOffset() + from, length);
        } else {
            final byte[] copy = new byte[length];
            data.duplicate().position(from).get(copy);
            sink.accept(copy, 0, length);
        }
    }

    /** Receives byte ranges from {@link #copyRows}. */
    @FunctionalInterface
    interface ByteRangeSink {
        void accept(byte[] array, int offset, int length);
    }

    /** Element {@code i} of a STRING tensor; the returned array must not be modified. */
    public byte[] stringAt(final int i) {
        requireType(DType.STRING);
        return strings[i];
    }

    public float floatAt(final int i) {
        return data.getFloat(i * 4);
    }

    public double doubleAt(final int i) {
        return data.getDouble(i * 8);
    }

    public int intAt(final int i) {
        return data.getInt(i * 4);
    }

    public long longAt(final int i) {
        return data.getLong(i * 8);
    }

    public boolean boolAt(final int i) {
        return data.get(i) != 0;
    }

    /** Element {@code i} of a UINT8 tensor as a value in [0, 255]. */
    public int unsignedByteAt(final int i) {
        return Byte.toUnsignedInt(data.get(i));
    }

    /** Element {@code i} of a 2-byte tensor (UINT16, HALF, BFLOAT16) as its raw unsigned bits. */
    public int unsignedShortAt(final int i) {
        return Short.toUnsignedInt(data.getShort(i * 2));
    }

    private void requireType(final DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("tensor is " + dtype + ", not " + expected);
        }
    }

    @Override
    public String toString() {
        return "HostTensor{" + dtype + Arrays.toString(shape) + "}";
    }
}
