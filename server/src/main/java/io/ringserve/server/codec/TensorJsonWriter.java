package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;

/** Writes a host tensor, or one row of it, as nested JSON lists. Stateless. */
final class TensorJsonWriter {
    private TensorJsonWriter() {
    }

    /**
     * @throws ServingException INVALID_ARGUMENT when the type has no JSON form (half, bfloat16)
     */
    static void requireWritable(final String alias, final HostTensor tensor) {
        switch (tensor.dtype()) {
            case HALF, BFLOAT16 -> throw ServingException.invalidArgument(
                    "Failed to write JSON value for tensor type: " + tensor.dtype().typeName() + " (output '" + alias
                            + "')");
            default -> { }
        }
    }

    static void writeWhole(final JsonGenerator gen, final HostTensor tensor, final boolean b64) throws IOException {
        write(gen, tensor, tensor.shape(), 0, 0, b64);
    }

    /** Writes {@code tensor[row]}, a value of rank {@code tensor.rank() - 1}. */
    static void writeRow(final JsonGenerator gen, final HostTensor tensor, final long row, final boolean b64)
            throws IOException {
        final long[] shape = tensor.shape();
        write(gen, tensor, shape, 1, row * stride(shape, 1), b64);
    }

    private static void write(final JsonGenerator gen, final HostTensor tensor, final long[] shape, final int dim,
                              final long offset, final boolean b64) throws IOException {
        if (dim == shape.length) {
            writeElement(gen, tensor, Math.toIntExact(offset), b64);
            return;
        }
        final long stride = stride(shape, dim + 1);
        gen.writeStartArray();
        for (long i = 0; i < shape[dim]; i++) {
            write(gen, tensor, shape, dim + 1, offset + i * stride, b64);
        }
        gen.writeEndArray();
    }

    private static long stride(final long[] shape, final int from) {
        long stride = 1;
        for (int d = from; d < shape.length; d++) {
            stride *= shape[d];
        }
        return stride;
    }

    private static void writeElement(final JsonGenerator gen, final HostTensor t, final int i, final boolean b64)
            throws IOException {
        switch (t.dtype()) {
            case FLOAT -> gen.writeNumber(TfNumberFormat.formatFloat(t.floatAt(i)));
            case DOUBLE -> gen.writeNumber(TfNumberFormat.formatDouble(t.doubleAt(i)));
            case INT32 -> gen.writeNumber(t.intAt(i));
            case INT64 -> gen.writeNumber(t.longAt(i));
            case UINT8 -> gen.writeNumber(t.unsignedByteAt(i));
            case UINT16 -> gen.writeNumber(t.unsignedShortAt(i));
            case INT16 -> gen.writeNumber(t.data().getShort(i * 2));
            case INT8 -> gen.writeNumber(t.data().get(i));
            case UINT32 -> gen.writeNumber(Integer.toUnsignedLong(t.intAt(i)));
            case UINT64 -> gen.writeNumber(Long.toUnsignedString(t.longAt(i)));
            case BOOL -> gen.writeBoolean(t.boolAt(i));
            case STRING -> writeString(gen, t.stringAt(i), b64);
            default -> throw new IllegalStateException("unwritable type " + t.dtype());
        }
    }

    private static void writeString(final JsonGenerator gen, final byte[] value, final boolean b64)
            throws IOException {
        if (b64) {
            gen.writeStartObject();
            gen.writeStringField("b64", JsonPredictResponseEncoder.base64(value));
            gen.writeEndObject();
        } else {
            gen.writeUTF8String(value, 0, value.length);
        }
    }
}
