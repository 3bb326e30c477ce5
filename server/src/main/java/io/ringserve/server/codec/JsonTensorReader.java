package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads nested JSON lists of one input straight into a tensor buffer of the signature's type, inferring the shape
 * from the nesting as TF Serving does: the first list met at each depth fixes that dimension, and every later list
 * at the same depth must match it (no ragged lists); every leaf must sit at the same depth.
 *
 * <p>Two ways to feed it: {@link #readInstance} once per element of {@code instances} (the row format: the element
 * count becomes dimension 0), or {@link #readWhole} once for a value of {@code inputs} (the columnar format: no
 * batch dimension is added, and a bare scalar is a rank-0 tensor). Fixed-width values go into one growing primitive
 * array and from there, in one bulk copy, into the tensor's little-endian buffer; never through boxed numbers. Not
 * thread-safe: one reader per input per request.
 */
final class JsonTensorReader {
    private static final int MAX_DEPTH = 64;
    private static final int INITIAL_CAPACITY = 256;
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final String alias;
    private final DType dtype;
    private final long[] dims = new long[MAX_DEPTH];
    private int leafDepth = -1;
    private int instances;
    private boolean read;
    // One growing primitive array per type family: plain array stores on the hot path, one bulk copy at the end.
    private float[] floats;
    private double[] doubles;
    private int[] ints;
    private long[] longs;
    private short[] shorts;
    private byte[] bytes;
    private int count;
    private final List<byte[]> strings;

    JsonTensorReader(final String alias, final DType dtype) {
        this.alias = alias;
        this.dtype = dtype;
        Arrays.fill(dims, -1);
        strings = dtype == DType.STRING ? new ArrayList<>() : null;
        switch (dtype) {
            case FLOAT -> floats = new float[INITIAL_CAPACITY];
            case DOUBLE -> doubles = new double[INITIAL_CAPACITY];
            case INT32, UINT32 -> ints = new int[INITIAL_CAPACITY];
            case INT64, UINT64 -> longs = new long[INITIAL_CAPACITY];
            case INT16, UINT16 -> shorts = new short[INITIAL_CAPACITY];
            case INT8, UINT8, BOOL -> bytes = new byte[INITIAL_CAPACITY];
            default -> { }
        }
    }

    String alias() {
        return alias;
    }

    /** True once a value has been read for this input. */
    boolean hasValue() {
        return read;
    }

    /** Reads one element of {@code instances}; the parser is on the element's first token. */
    void readInstance(final JsonParser parser) throws IOException {
        readValue(parser, 1);
        instances++;
        read = true;
    }

    /**
     * Reads one {@code instances} element that is a {@code {"b64": ...}} object whose field name the caller has
     * already consumed; the parser is on that field name.
     */
    void readB64InstanceAfterKey(final JsonParser parser) throws IOException {
        leaf(1);
        readB64Value(parser);
        instances++;
        read = true;
    }

    /** Reads the whole tensor from one {@code inputs} value; the parser is on the value's first token. */
    void readWhole(final JsonParser parser) throws IOException {
        readValue(parser, 0);
        read = true;
    }

    /** Reads the whole tensor from a b64 object whose {@code b64} field name the caller has consumed. */
    void readWholeB64AfterKey(final JsonParser parser) throws IOException {
        leaf(0);
        readB64Value(parser);
        read = true;
    }

    /** The tensor read so far; {@code rowFormat} adds the instance count as dimension 0. */
    HostTensor build(final boolean rowFormat) {
        final int rank = Math.max(leafDepth, rowFormat ? 1 : 0);
        final long[] shape = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = (rowFormat && d == 0) ? instances : Math.max(dims[d], 0);
        }
        if (dtype == DType.STRING) {
            return HostTensor.ofStrings(shape, strings.toArray(new byte[0][]));
        }
        final ByteBuffer data = HostTensor.allocate((long) count * dtype.byteSize());
        switch (dtype) {
            case FLOAT -> data.asFloatBuffer().put(floats, 0, count);
            case DOUBLE -> data.asDoubleBuffer().put(doubles, 0, count);
            case INT32, UINT32 -> data.asIntBuffer().put(ints, 0, count);
            case INT64, UINT64 -> data.asLongBuffer().put(longs, 0, count);
            case INT16, UINT16 -> data.asShortBuffer().put(shorts, 0, count);
            default -> data.put(bytes, 0, count).flip();
        }
        return HostTensor.of(dtype, shape, data);
    }

    private void readValue(final JsonParser parser, final int depth) throws IOException {
        final JsonToken token = parser.currentToken();
        if (token == JsonToken.START_ARRAY) {
            readList(parser, depth);
        } else if (token == JsonToken.START_OBJECT) {
            readObjectLeaf(parser, depth);
        } else {
            leaf(depth);
            writeScalar(parser, token);
        }
    }

    private void readList(final JsonParser parser, final int depth) throws IOException {
        if (depth >= MAX_DEPTH - 1) {
            throw ServingException.invalidArgument("Input '" + alias + "' is nested deeper than " + (MAX_DEPTH - 1)
                    + " levels");
        }
        if (leafDepth >= 0 && depth >= leafDepth) {
            throw mixedNesting(depth);
        }
        long count = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            readValue(parser, depth + 1);
            count++;
        }
        if (count == 0 && leafDepth < 0) {
            leafDepth = depth + 1; // an empty list ends the nesting: its elements would be leaves
        }
        if (dims[depth] < 0) {
            dims[depth] = count;
        } else if (dims[depth] != count) {
            throw ServingException.invalidArgument("Input '" + alias + "' has ragged lists: a list at depth "
                    + depth + " has " + count + " elements where the first list at that depth had " + dims[depth]);
        }
    }

    private void readObjectLeaf(final JsonParser parser, final int depth) throws IOException {
        if (dtype != DType.STRING) {
            throw typeMismatch("{...}", "Object");
        }
        if (parser.nextToken() != JsonToken.FIELD_NAME || !"b64".equals(parser.currentName())) {
            throw notBase64();
        }
        leaf(depth);
        readB64Value(parser);
    }

    /** Parser on the {@code b64} field name: reads the string and the closing brace. */
    private void readB64Value(final JsonParser parser) throws IOException {
        if (dtype != DType.STRING) {
            throw typeMismatch("{\"b64\": ...}", "Object");
        }
        if (parser.nextToken() != JsonToken.VALUE_STRING) {
            throw notBase64();
        }
        final byte[] decoded;
        try {
            decoded = Base64Text.decode(parser.getText());
        } catch (IllegalArgumentException e) {
            throw ServingException.invalidArgument("Unable to base64 decode the value of input '" + alias + "': "
                    + e.getMessage());
        }
        if (parser.nextToken() != JsonToken.END_OBJECT) {
            throw notBase64();
        }
        strings.add(decoded);
    }

    private void leaf(final int depth) {
        if (leafDepth < 0) {
            leafDepth = depth;
        } else if (leafDepth != depth) {
            throw mixedNesting(depth);
        }
    }

    private void writeScalar(final JsonParser parser, final JsonToken token) throws IOException {
        switch (dtype) {
            case FLOAT -> {
                final float value = (float) decimal(parser, token);
                if (count == floats.length) {
                    floats = Arrays.copyOf(floats, count * 2);
                }
                floats[count++] = value;
            }
            case DOUBLE -> {
                final double value = decimal(parser, token);
                if (count == doubles.length) {
                    doubles = Arrays.copyOf(doubles, count * 2);
                }
                doubles[count++] = value;
            }
            case INT32 -> addInt((int) integer(parser, token, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32 -> addInt((int) integer(parser, token, 0, 0xFFFF_FFFFL));
            case INT64 -> addLong(integer(parser, token, Long.MIN_VALUE, Long.MAX_VALUE));
            case UINT64 -> addLong(unsigned64(parser, token));
            // TF Serving takes any int32 for int16, int8 and uint8 (int_val), which TensorFlow truncates: 256 is a
            // uint8 0. (uint16 it does not convert at all; here its own range.)
            case INT16 -> addShort((short) integer(parser, token, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT16 -> addShort((short) integer(parser, token, 0, 0xFFFF));
            case INT8, UINT8 -> addByte((byte) integer(parser, token, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case BOOL -> addByte(bool(parser, token) ? (byte) 1 : (byte) 0);
            case STRING -> strings.add(string(parser, token));
            default -> throw new ServingException(StatusCode.UNIMPLEMENTED,
                    "Conversion of JSON Value: " + describe(parser, token) + " to type: " + dtype.typeName());
        }
    }

    private void addInt(final int value) {
        if (count == ints.length) {
            ints = Arrays.copyOf(ints, count * 2);
        }
        ints[count++] = value;
    }

    private void addLong(final long value) {
        if (count == longs.length) {
            longs = Arrays.copyOf(longs, count * 2);
        }
        longs[count++] = value;
    }

    private void addShort(final short value) {
        if (count == shorts.length) {
            shorts = Arrays.copyOf(shorts, count * 2);
        }
        shorts[count++] = value;
    }

    private void addByte(final byte value) {
        if (count == bytes.length) {
            bytes = Arrays.copyOf(bytes, count * 2);
        }
        bytes[count++] = value;
    }

    /** A JSON number as a double, as TF Serving reads it (then casts floats); plain decimals take a fast path. */
    private double decimal(final JsonParser parser, final JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw typeMismatch(parser, token);
        }
        final double fast = DecimalFastPath.parse(parser.getTextCharacters(), parser.getTextOffset(),
                parser.getTextLength());
        return Double.isNaN(fast) ? JsonDoubles.read(parser) : fast;
    }

    private long integer(final JsonParser parser, final JsonToken token, final long min, final long max)
            throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT
                || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw typeMismatch(parser, token);
        }
        final long value = parser.getLongValue();
        if (value < min || value > max) {
            throw typeMismatch(parser, token);
        }
        return value;
    }

    private long unsigned64(final JsonParser parser, final JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw typeMismatch(parser, token);
        }
        final BigInteger value = parser.getBigIntegerValue();
        if (value.signum() < 0 || value.compareTo(UINT64_MAX) > 0) {
            throw typeMismatch(parser, token);
        }
        return value.longValue();
    }

    private boolean bool(final JsonParser parser, final JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (token == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw typeMismatch(parser, token);
    }

    private byte[] string(final JsonParser parser, final JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw typeMismatch(parser, token);
        }
        return parser.getText().getBytes(StandardCharsets.UTF_8);
    }

    private ServingException typeMismatch(final JsonParser parser, final JsonToken token) throws IOException {
        return typeMismatch(describe(parser, token), jsonTypeName(token));
    }

    private ServingException typeMismatch(final String value, final String jsonType) {
        return ServingException.invalidArgument("JSON Value: " + value + " Type: " + jsonType
                + " is not of expected type: " + dtype.typeName() + " (input '" + alias + "')");
    }

    private ServingException notBase64() {
        return ServingException.invalidArgument("JSON Value of input '" + alias
                + "' not formatted correctly for base64 data: expected {\"b64\": \"<base64 string>\"}");
    }

    private ServingException mixedNesting(final int depth) {
        return ServingException.invalidArgument("Input '" + alias + "' mixes values and lists: found "
                + (depth < leafDepth ? "a value" : "a list") + " at depth " + depth + " where the first element had "
                + (depth < leafDepth ? "a list" : "a value"));
    }

    private static String describe(final JsonParser parser, final JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> "\"" + parser.getText() + "\"";
            case START_ARRAY -> "[...]";
            case START_OBJECT -> "{...}";
            default -> parser.getText();
        };
    }

    private static String jsonTypeName(final JsonToken token) {
        return switch (token) {
            case VALUE_NULL -> "Null";
            case VALUE_TRUE -> "True";
            case VALUE_FALSE -> "False";
            case VALUE_STRING -> "String";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "Number";
            case START_ARRAY -> "Array";
            case START_OBJECT -> "Object";
            default -> String.valueOf(token);
        };
    }
}
