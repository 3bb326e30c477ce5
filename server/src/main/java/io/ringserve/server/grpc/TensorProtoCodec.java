package io.ringserve.server.grpc;

import com.google.protobuf.ByteString;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.inference.ServingException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * {@code TensorProto} to and from {@link HostTensor}, with TensorFlow's rules: {@code tensor_content} (raw
 * little-endian bytes, the fast path) when present, else the typed {@code *_val} field of the dtype, filled as
 * {@code Tensor::FromProto} does (no values: zeros; fewer than needed: the last value repeats); a missing shape is a
 * scalar. Outputs are written with typed fields, as TF Serving does by default. Stateless.
 */
public final class TensorProtoCodec {
    private TensorProtoCodec() {
    }

    /**
     * The tensor {@code proto} describes, for input {@code alias}.
     *
     * @param maxFilledBytes the most bytes TensorFlow's fill rule may add to a tensor sent with fewer values than its
     *     shape holds, so that a small message cannot make the server allocate gigabytes: the largest message the
     *     server accepts, which is what the same tensor written out in full could carry
     * @throws ServingException INVALID_ARGUMENT naming the input when the proto is malformed, of a type ringserve
     *     cannot feed, or would fill past {@code maxFilledBytes}
     */
    public static HostTensor toHost(final String alias, final TensorProto proto, final long maxFilledBytes) {
        final DType dtype = DType.fromProtoNumber(proto.getDtypeValue()).filter(DType::isRunnable)
                .orElseThrow(() -> ServingException.invalidArgument("Input '" + alias + "' has dtype "
                        + proto.getDtype() + ", which ringserve cannot feed to a model"));
        final long[] shape = shape(alias, proto.getTensorShape(), dtype);
        final long n = HostTensor.numElements(shape);
        if (dtype == DType.STRING) {
            final List<ByteString> values = proto.getStringValList();
            final long lastLength = values.isEmpty() ? 0 : values.get(values.size() - 1).size();
            // A filled-in element costs a reference to the shared last value (8 bytes) here, and a copy of its bytes
            // in the TensorFlow string tensor it becomes.
            requireFillFits(alias, shape, n, values.size(), 8 + lastLength, maxFilledBytes);
            return HostTensor.ofStrings(shape, strings(values, n));
        }
        final ByteString content = proto.getTensorContent();
        if (!content.isEmpty()) {
            if (content.size() != n * dtype.byteSize()) {
                throw ServingException.invalidArgument("Input '" + alias + "': tensor_content has " + content.size()
                        + " bytes, but shape " + Arrays.toString(shape) + " of " + proto.getDtype()
                        + " needs " + n * dtype.byteSize());
            }
            return HostTensor.of(dtype, shape, ByteBuffer.wrap(content.toByteArray()));
        }
        requireFillFits(alias, shape, n, typedValueCount(dtype, proto), dtype.byteSize(), maxFilledBytes);
        final ByteBuffer data = HostTensor.allocate(n * dtype.byteSize());
        final int elements = Math.toIntExact(n);
        switch (dtype) {
            case FLOAT -> {
                final int k = proto.getFloatValCount();
                for (int i = 0; k > 0 && i < elements; i++) {
                    data.putFloat(proto.getFloatVal(Math.min(i, k - 1)));
                }
            }
            case DOUBLE -> {
                final int k = proto.getDoubleValCount();
                for (int i = 0; k > 0 && i < elements; i++) {
                    data.putDouble(proto.getDoubleVal(Math.min(i, k - 1)));
                }
            }
            case INT32, UINT8, UINT16 -> {
                final int k = proto.getIntValCount();
                for (int i = 0; k > 0 && i < elements; i++) {
                    final int v = proto.getIntVal(Math.min(i, k - 1));
                    switch (dtype) {
                        case UINT8 -> data.put((byte) v);
                        case UINT16 -> data.putShort((short) v);
                        default -> data.putInt(v);
                    }
                }
            }
            case INT64 -> {
                final int k = proto.getInt64ValCount();
                for (int i = 0; k > 0 && i < elements; i++) {
                    data.putLong(proto.getInt64Val(Math.min(i, k - 1)));
                }
            }
            case BOOL -> {
                final int k = proto.getBoolValCount();
                for (int i = 0; k > 0 && i < elements; i++) {
                    data.put(proto.getBoolVal(Math.min(i, k - 1)) ? (byte) 1 : (byte) 0);
                }
            }
            case HALF, BFLOAT16 -> {
                final int k = proto.getHalfValCount();
                for (int i = 0; k > 0 && i < elements; i++) {
                    data.putShort((short) proto.getHalfVal(Math.min(i, k - 1)));
                }
            }
            default -> throw ServingException.invalidArgument("Input '" + alias + "' has dtype " + proto.getDtype()
                    + ", which ringserve cannot feed to a model");
        }
        // No values leaves zeros; fewer than needed repeated the last one (TensorFlow's fill rule).
        data.clear();
        return HostTensor.of(dtype, shape, data);
    }

    /**
     * {@code tensor} as TF Serving writes outputs with {@code --enable_serialization_as_tensor_content}: dtype, full
     * shape and the raw little-endian bytes in {@code tensor_content}; strings, which have no raw form, as
     * {@code string_val}.
     */
    public static TensorProto toProtoAsTensorContent(final HostTensor tensor) {
        if (tensor.dtype() == DType.STRING) {
            return toProto(tensor);
        }
        return TensorProto.newBuilder()
                .setDtypeValue(tensor.dtype().protoNumber())
                .setTensorShape(shape(tensor.shape()))
                .setTensorContent(ByteString.copyFrom(tensor.data()))
                .build();
    }

    /** {@code tensor} as TF Serving writes outputs by default: dtype, full shape, typed values. */
    public static TensorProto toProto(final HostTensor tensor) {
        final TensorProto.Builder proto = TensorProto.newBuilder()
                .setDtypeValue(tensor.dtype().protoNumber())
                .setTensorShape(shape(tensor.shape()));
        final int n = Math.toIntExact(tensor.numElements());
        switch (tensor.dtype()) {
            case FLOAT -> {
                for (int i = 0; i < n; i++) {
                    proto.addFloatVal(tensor.floatAt(i));
                }
            }
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    proto.addDoubleVal(tensor.doubleAt(i));
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    proto.addIntVal(tensor.intAt(i));
                }
            }
            case UINT8 -> {
                for (int i = 0; i < n; i++) {
                    proto.addIntVal(tensor.unsignedByteAt(i));
                }
            }
            case UINT16, HALF, BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    if (tensor.dtype() == DType.UINT16) {
                        proto.addIntVal(tensor.unsignedShortAt(i));
                    } else {
                        proto.addHalfVal(tensor.unsignedShortAt(i));
                    }
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    proto.addInt64Val(tensor.longAt(i));
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    proto.addBoolVal(tensor.boolAt(i));
                }
            }
            case STRING -> {
                for (int i = 0; i < n; i++) {
                    proto.addStringVal(ByteString.copyFrom(tensor.stringAt(i)));
                }
            }
            default -> proto.setTensorContent(ByteString.copyFrom(tensor.data()));
        }
        return proto.build();
    }

    /** The TF dtype of {@code dtype}. */
    static DataType dataType(final DType dtype) {
        return DataType.forNumber(dtype.protoNumber());
    }

    private static TensorShapeProto shape(final long[] shape) {
        final TensorShapeProto.Builder builder = TensorShapeProto.newBuilder();
        for (long d : shape) {
            builder.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return builder.build();
    }

    private static long[] shape(final String alias, final TensorShapeProto proto, final DType dtype) {
        if (proto.getUnknownRank()) {
            throw ServingException.invalidArgument("Input '" + alias + "' has an unknown rank; a tensor to feed "
                    + "needs a full shape");
        }
        final long[] shape = new long[proto.getDimCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = proto.getDim(i).getSize();
            if (shape[i] < 0) {
                throw ServingException.invalidArgument("Input '" + alias + "' has a negative dimension "
                        + shape[i] + " in its shape");
            }
        }
        final long elements;
        try {
            elements = HostTensor.numElements(shape);
        } catch (IllegalArgumentException e) {
            throw ServingException.invalidArgument("Input '" + alias + "' has too many elements: shape "
                    + Arrays.toString(shape));
        }
        if (elements > HostTensor.maxElements(dtype)) {
            throw ServingException.invalidArgument("Input '" + alias + "' has too many elements: shape "
                    + Arrays.toString(shape) + " holds " + elements + "; a " + dtype.typeName()
                    + " tensor holds at most " + HostTensor.maxElements(dtype));
        }
        return shape;
    }

    /** How many values {@code proto} carries in the typed field of {@code dtype}, one of the runnable types. */
    private static int typedValueCount(final DType dtype, final TensorProto proto) {
        return switch (dtype) {
            case FLOAT -> proto.getFloatValCount();
            case DOUBLE -> proto.getDoubleValCount();
            case INT32, UINT8, UINT16 -> proto.getIntValCount();
            case INT64 -> proto.getInt64ValCount();
            case BOOL -> proto.getBoolValCount();
            case HALF, BFLOAT16 -> proto.getHalfValCount();
            default -> 0;
        };
    }

    /**
     * Refuses a tensor that TensorFlow's fill rule would grow past {@code maxFilledBytes}: {@code given} values for
     * {@code n} elements, each filled-in one {@code elementBytes}.
     */
    private static void requireFillFits(final String alias, final long[] shape, final long n, final long given,
                                        final long elementBytes, final long maxFilledBytes) {
        if (given >= n) {
            return;
        }
        final long filledBytes = (n - given) * elementBytes;
        if (filledBytes > maxFilledBytes) {
            throw ServingException.invalidArgument("Input '" + alias + "' has " + given + " values for shape "
                    + Arrays.toString(shape) + ": filling in the other " + (n - given) + " as TensorFlow does would "
                    + "take " + filledBytes + " bytes, more than the " + maxFilledBytes + " a request may carry; "
                    + "send the values");
        }
    }

    /** {@code n} strings: {@code values}, then the last of them repeated (none: empty strings), shared, not copied. */
    private static byte[][] strings(final List<ByteString> values, final long n) {
        final byte[][] out = new byte[Math.toIntExact(n)][];
        final byte[] fill = values.isEmpty() ? new byte[0] : values.get(values.size() - 1).toByteArray();
        for (int i = 0; i < out.length; i++) {
            out[i] = i < values.size() - 1 ? values.get(i).toByteArray() : fill;
        }
        return out;
    }
}
