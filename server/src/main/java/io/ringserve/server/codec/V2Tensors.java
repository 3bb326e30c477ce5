package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * KServe V2 (Open Inference Protocol) tensors ({@link DType#v2Datatype} names their types): row-major
 * {@code data} (flat or nested JSON, or the binary tensor data extension's raw bytes) to and from {@link HostTensor}.
 * FP16 and BF16 have no JSON form and are refused in JSON, as KServe does. Stateless.
 */
public final class V2Tensors {
    private V2Tensors() {
    }

    /**
     * The tensor one request input describes ({@code name}, {@code shape}, {@code datatype}, {@code data}), which the
     * model expects as {@code expected}.
     *
     * @throws ServingException INVALID_ARGUMENT naming the input and what is wrong with it
     */
    public static HostTensor read(final String name, final JsonNode input, final DType expected) {
        final String datatype = requireDatatype(name, input, expected);
        if (expected == DType.HALF || expected == DType.BFLOAT16) {
            throw ServingException.invalidArgument("input '" + name + "': " + datatype
                    + " has no JSON form; send it with the binary tensor data extension (binary_data_size)");
        }
        final long[] shape = shape(name, input.get("shape"), expected);
        final List<JsonNode> values = new ArrayList<>();
        flatten(name, input.get("data"), values);
        final long elements = HostTensor.numElements(shape);
        if (values.size() != elements) {
            throw ServingException.invalidArgument("input '" + name + "' has " + values.size()
                    + " elements in data, but shape " + Arrays.toString(shape) + " needs " + elements);
        }
        if (expected == DType.STRING) {
            final byte[][] strings = new byte[values.size()][];
            for (int i = 0; i < strings.length; i++) {
                if (!values.get(i).isTextual()) {
                    throw notA(name, "string", values.get(i));
                }
                strings[i] = values.get(i).textValue().getBytes(StandardCharsets.UTF_8);
            }
            return HostTensor.ofStrings(shape, strings);
        }
        final ByteBuffer data = HostTensor.allocate(elements * expected.byteSize());
        for (JsonNode value : values) {
            put(name, expected, value, data);
        }
        data.flip();
        return HostTensor.of(expected, shape, data);
    }

    /**
     * The tensor one request input describes whose data came as {@code bytes} (the binary tensor data extension:
     * little-endian row-major; BYTES elements each a 4-byte little-endian length and the bytes).
     *
     * @throws ServingException INVALID_ARGUMENT naming the input when the bytes do not fit its shape and datatype
     */
    public static HostTensor readBinary(final String name, final JsonNode input, final DType expected,
                                        final ByteBuffer bytes) {
        requireDatatype(name, input, expected);
        return fromBinary(name, expected, shape(name, input.get("shape"), expected), bytes);
    }

    /**
     * Input {@code name} of type {@code expected} and {@code shape} from the binary layout ({@link #readBinary}; the
     * gRPC protocol's {@code raw_input_contents}).
     *
     * @throws ServingException INVALID_ARGUMENT naming the input when the bytes do not fit
     */
    public static HostTensor fromBinary(final String name, final DType expected, final long[] shape,
                                        final ByteBuffer bytes) {
        final long elements = HostTensor.numElements(shape);
        final ByteBuffer data = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (expected == DType.STRING) {
            // Every element takes at least its 4-byte length: a shape the bytes cannot fill allocates nothing.
            if (elements > data.remaining() / 4) {
                throw ServingException.invalidArgument("input '" + name + "': shape " + Arrays.toString(shape)
                        + " needs " + elements + " BYTES elements of at least 4 bytes each; binary data has "
                        + data.remaining() + " bytes");
            }
            final byte[][] strings = new byte[Math.toIntExact(elements)][];
            for (int i = 0; i < strings.length; i++) {
                if (data.remaining() < 4) {
                    throw ServingException.invalidArgument("input '" + name + "': binary data ends before element "
                            + i + " of " + elements);
                }
                final long length = Integer.toUnsignedLong(data.getInt());
                if (length > data.remaining()) {
                    throw ServingException.invalidArgument("input '" + name + "': element " + i + " claims "
                            + length + " bytes, " + data.remaining() + " are left");
                }
                strings[i] = new byte[(int) length];
                data.get(strings[i]);
            }
            if (data.hasRemaining()) {
                throw ServingException.invalidArgument("input '" + name + "': " + data.remaining()
                        + " bytes of binary data are left after " + elements + " elements");
            }
            return HostTensor.ofStrings(shape, strings);
        }
        final long needed = elements * expected.byteSize();
        if (data.remaining() != needed) {
            throw ServingException.invalidArgument("input '" + name + "' has " + data.remaining()
                    + " bytes of binary data, but shape " + Arrays.toString(shape) + " of "
                    + expected.v2Datatype() + " needs " + needed);
        }
        final ByteBuffer copy = HostTensor.allocate(needed).put(data);
        copy.flip();
        return HostTensor.of(expected, shape, copy);
    }

    /** {@code tensor}'s data in the binary tensor data extension's layout. */
    public static byte[] binary(final HostTensor tensor) {
        if (tensor.dtype() != DType.STRING) {
            final ByteBuffer data = tensor.data();
            final byte[] out = new byte[data.remaining()];
            data.duplicate().get(out);
            return out;
        }
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final int n = Math.toIntExact(tensor.numElements());
        for (int i = 0; i < n; i++) {
            final byte[] element = tensor.stringAt(i);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(element.length).array());
            out.writeBytes(element);
        }
        return out.toByteArray();
    }

    private static String requireDatatype(final String name, final JsonNode input, final DType expected) {
        final String datatype = text(input, "datatype", name);
        requireDatatype(name, datatype, expected);
        return datatype;
    }

    /**
     * Checks that input {@code name}'s V2 {@code datatype} is the one of {@code expected}.
     *
     * @throws ServingException INVALID_ARGUMENT naming both
     */
    public static void requireDatatype(final String name, final String datatype, final DType expected) {
        final String wanted = expected.v2Datatype();
        if (!datatype.equals(wanted)) {
            throw ServingException.invalidArgument("input '" + name + "' has datatype " + datatype
                    + ", but the model expects " + wanted);
        }
    }

    /**
     * Checks that every dimension of input {@code name}'s shape is non-negative and that a tensor of {@code dtype}
     * with that shape fits in a host tensor ({@link HostTensor#maxElements}), before anything is allocated for it.
     *
     * @throws ServingException INVALID_ARGUMENT naming the input and the first problem
     */
    public static long[] requireShape(final String name, final long[] dims, final DType dtype) {
        for (long dim : dims) {
            if (dim < 0) {
                throw ServingException.invalidArgument("input '" + name + "': shape holds " + dim
                        + ", not a non-negative integer");
            }
        }
        final long elements;
        try {
            elements = HostTensor.numElements(dims);
        } catch (IllegalArgumentException e) {
            throw ServingException.invalidArgument("input '" + name + "': shape " + Arrays.toString(dims)
                    + " holds more elements than a tensor can");
        }
        if (elements > HostTensor.maxElements(dtype)) {
            throw ServingException.invalidArgument("input '" + name + "': shape " + Arrays.toString(dims)
                    + " holds " + elements + " elements; a " + dtype.v2Datatype() + " input holds at most "
                    + HostTensor.maxElements(dtype));
        }
        return dims;
    }

    private static void put(final String name, final DType dtype, final JsonNode value, final ByteBuffer data) {
        switch (dtype) {
            case BOOL -> {
                if (!value.isBoolean()) {
                    throw notA(name, "boolean", value);
                }
                data.put(value.booleanValue() ? (byte) 1 : (byte) 0);
            }
            case FLOAT, DOUBLE -> {
                if (!value.isNumber()) {
                    throw notA(name, "number", value);
                }
                if (dtype == DType.FLOAT) {
                    data.putFloat(value.floatValue());
                } else {
                    data.putDouble(value.doubleValue());
                }
            }
            default -> {
                if (!value.isIntegralNumber()) {
                    throw notA(name, "integer", value);
                }
                final boolean unsigned = dtype == DType.UINT8 || dtype == DType.UINT16 || dtype == DType.UINT32
                        || dtype == DType.UINT64;
                if (unsigned && value.bigIntegerValue().signum() < 0) {
                    throw notA(name, "non-negative integer", value); // as Triton, not wrapped round
                }
                if (dtype == DType.UINT64 && !value.canConvertToLong() && value.bigIntegerValue().bitLength() <= 64) {
                    data.putLong(value.bigIntegerValue().longValue()); // 2^63 and above: the same 64 bits
                    return;
                }
                if (!value.canConvertToLong()) {
                    throw notA(name, "integer", value);
                }
                final long v = value.longValue();
                switch (dtype) {
                    case INT8, UINT8 -> data.put((byte) v);
                    case INT16, UINT16 -> data.putShort((short) v);
                    case INT32, UINT32 -> data.putInt((int) v);
                    default -> data.putLong(v);
                }
            }
        }
    }

    private static ServingException notA(final String name, final String kind, final JsonNode value) {
        // A number's own text (NaN, Infinity), not Jackson's quoted rendering of it.
        return ServingException.invalidArgument("input '" + name + "': expected " + (kind.equals("integer") ? "an "
                : "a ") + kind + " element, got " + (value.isNumber() ? value.asText() : value.toString()));
    }

    private static String text(final JsonNode input, final String field, final String name) {
        final JsonNode value = input.get(field);
        if (value == null || !value.isTextual()) {
            throw ServingException.invalidArgument("input '" + name + "' needs a string '" + field + "'");
        }
        return value.textValue();
    }

    private static long[] shape(final String name, final JsonNode shape, final DType dtype) {
        if (shape == null || !shape.isArray()) {
            throw ServingException.invalidArgument("input '" + name + "' needs a 'shape' array");
        }
        final long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            final JsonNode dim = shape.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong()) {
                throw ServingException.invalidArgument("input '" + name + "': shape holds " + dim
                        + ", not a non-negative integer");
            }
            dims[i] = dim.longValue();
        }
        return requireShape(name, dims, dtype);
    }

    private static void flatten(final String name, final JsonNode data, final List<JsonNode> out) {
        if (data == null) {
            throw ServingException.invalidArgument("input '" + name + "' has no 'data'");
        }
        if (data.isArray()) {
            for (JsonNode element : data) {
                flatten(name, element, out);
            }
        } else {
            out.add(data);
        }
    }

    /**
     * Writes {@code tensor} as a V2 output whose data follows the JSON as {@code binarySize} bytes (the binary tensor
     * data extension): name, datatype, shape and {@code parameters.binary_data_size}.
     */
    public static void writeBinaryHeader(final String name, final HostTensor tensor, final int binarySize,
                                         final JsonGenerator gen) throws IOException {
        writeHead(name, tensor, gen);
        gen.writeObjectFieldStart("parameters");
        gen.writeNumberField("binary_data_size", binarySize);
        gen.writeEndObject();
        gen.writeEndObject();
    }

    private static void writeHead(final String name, final HostTensor tensor, final JsonGenerator gen)
            throws IOException {
        gen.writeStartObject();
        gen.writeStringField("name", name);
        gen.writeStringField("datatype", tensor.dtype().v2Datatype());
        gen.writeArrayFieldStart("shape");
        for (long dim : tensor.shape()) {
            gen.writeNumber(dim);
        }
        gen.writeEndArray();
    }

    /** Writes {@code tensor} as a V2 output: name, datatype, shape and flat row-major data. */
    public static void write(final String name, final HostTensor tensor, final JsonGenerator gen) throws IOException {
        writeHead(name, tensor, gen);
        gen.writeArrayFieldStart("data");
        final int n = Math.toIntExact(tensor.numElements());
        for (int i = 0; i < n; i++) {
            switch (tensor.dtype()) {
                case FLOAT -> gen.writeNumber(tensor.floatAt(i));
                case DOUBLE -> gen.writeNumber(tensor.doubleAt(i));
                case BOOL -> gen.writeBoolean(tensor.boolAt(i));
                case STRING -> gen.writeString(new String(tensor.stringAt(i), StandardCharsets.UTF_8));
                case INT32 -> gen.writeNumber(tensor.intAt(i));
                case INT64 -> gen.writeNumber(tensor.longAt(i));
                case UINT8 -> gen.writeNumber(tensor.unsignedByteAt(i));
                case UINT16 -> gen.writeNumber(tensor.unsignedShortAt(i));
                default -> throw new ServingException(io.ringserve.server.inference.StatusCode.UNIMPLEMENTED,
                        "output '" + name + "' of type " + tensor.dtype().typeName() + " has no V2 JSON form here");
            }
        }
        gen.writeEndArray();
        gen.writeEndObject();
    }
}
