package io.ringserve.server.codec;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * The predict body almost every client sends, read straight from its UTF-8 bytes without a JSON tokenizer: a
 * signature with one {@code DT_FLOAT} or {@code DT_DOUBLE} input, whose values come as nested lists of plain decimals
 * under {@code instances} or {@code inputs}, with at most a {@code signature_name} beside them. For a 784-float row
 * that is about half of the general decoder's cost (13 against 28 µs), and decoding was most of what a REST event
 * loop did.
 *
 * <p>It answers {@code null} for anything outside that subset (another key, an exponent, {@code NaN}, a number with
 * more than 15 significant digits, an escape in a string, an object in the data, an empty or ragged list, more than
 * {@link #MAX_VALUES} numbers, another dtype, several inputs, a JSON error), and the general decoder reads the body
 * instead, errors included. Where it does answer, the answer is the general decoder's exactly: numbers go through
 * the same exact decimal rule ({@link DecimalFastPath#exact}), and shapes follow the same nesting rules as
 * {@link JsonTensorReader}. So it changes how fast a request is read, never what it means. Stateless and
 * thread-safe; each call scans with its own state.
 */
final class PlainNumbersFastPath {
    private static final int MAX_RANK = 8;
    /**
     * Bodies with more numbers go to the general decoder, which stores floats in four bytes where this class keeps
     * doubles until it knows the dtype: the fast path is for the many small requests, not for the rare huge one.
     */
    static final int MAX_VALUES = 1 << 20;
    private static final byte[] SIGNATURE_NAME = ascii("signature_name");
    private static final byte[] INSTANCES = ascii("instances");
    private static final byte[] INPUTS = ascii("inputs");
    private static final byte[][] KEYS = {INSTANCES, INPUTS, SIGNATURE_NAME};

    private PlainNumbersFastPath() {
    }

    /**
     * Decodes {@code body[offset, offset + length)} if it is in the subset this class reads.
     *
     * @return the request, or {@code null} when the general decoder must read the body
     */
    static PredictRequest decode(final byte[] body, final int offset, final int length,
                                 final Function<String, SignatureSpec> signatures) {
        try {
            return new Scan(body, offset, offset + length).request(signatures);
        } catch (NotPlain | RuntimeException e) {
            // A RuntimeException here is the signature lookup refusing the name: the general decoder reports it.
            return null;
        }
    }

    private static byte[] ascii(final String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Thrown, without a stack trace, when the body leaves the subset; always caught above. */
    private static final class NotPlain extends Exception {
        private static final long serialVersionUID = 1L;
        static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super(null, null, false, false);
        }
    }

    /** One pass over one body. */
    private static final class Scan {
        private final byte[] bytes;
        private final int end;
        private int pos;
        private double[] values = new double[1024];
        private int count;
        private final long[] dims = new long[MAX_RANK];
        private int leafDepth = -1;
        private long instances;

        Scan(final byte[] bytes, final int offset, final int end) {
            this.bytes = bytes;
            this.pos = offset;
            this.end = end;
            Arrays.fill(dims, -1);
        }

        PredictRequest request(final Function<String, SignatureSpec> signatures) throws NotPlain {
            expect('{');
            String signatureName = null;
            SignatureSpec decodedWith = null;
            TensorSpec input = null;
            boolean rowFormat = false;
            do {
                skipWhitespace();
                final byte[] key = key();
                expect(':');
                skipWhitespace();
                if (key == SIGNATURE_NAME && signatureName == null) {
                    signatureName = string();
                } else if (key != SIGNATURE_NAME && decodedWith == null) {
                    // Check the signature named so far (the default if none yet) before scanning the data, so that
                    // a body this class cannot answer is not read twice; a later signature_name is checked below.
                    decodedWith = signatures.apply(signatureName == null ? "" : signatureName);
                    input = singleDecimalInput(decodedWith);
                    rowFormat = key == INSTANCES;
                    if (rowFormat) {
                        readInstances();
                    } else {
                        readValue(0);
                    }
                } else {
                    throw NotPlain.INSTANCE; // a key given twice
                }
            } while (next() == ',');
            if (bytes[pos - 1] != '}' || decodedWith == null) {
                throw NotPlain.INSTANCE;
            }
            skipWhitespace();
            if (pos != end) {
                throw NotPlain.INSTANCE;
            }
            final String name = signatureName == null ? "" : signatureName;
            if (signatures.apply(name) != decodedWith) {
                throw NotPlain.INSTANCE; // signature_name came after the data and names another signature
            }
            return new PredictRequest(name, rowFormat, Map.of(input.alias(),
                    tensor(input.dtype().orElseThrow(), rowFormat)));
        }

        /** The signature's only input, if it is float or double; anything else leaves the subset. */
        private static TensorSpec singleDecimalInput(final SignatureSpec signature) throws NotPlain {
            if (signature.inputs().size() != 1) {
                throw NotPlain.INSTANCE;
            }
            final TensorSpec input = signature.inputs().values().iterator().next();
            final DType dtype = input.dtype().orElse(null);
            if (dtype != DType.FLOAT && dtype != DType.DOUBLE) {
                throw NotPlain.INSTANCE;
            }
            return input;
        }

        private HostTensor tensor(final DType dtype, final boolean rowFormat) {
            final int rank = Math.max(leafDepth, rowFormat ? 1 : 0);
            final long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = rowFormat && d == 0 ? instances : dims[d];
            }
            final ByteBuffer data = HostTensor.allocate((long) count * dtype.byteSize());
            if (dtype == DType.FLOAT) {
                final FloatBuffer floats = data.asFloatBuffer();
                for (int i = 0; i < count; i++) {
                    floats.put(i, (float) values[i]);
                }
            } else {
                data.asDoubleBuffer().put(values, 0, count);
            }
            return HostTensor.of(dtype, shape, data);
        }

        /** {@code instances}: a non-empty list whose elements are each one value of the single input. */
        private void readInstances() throws NotPlain {
            expect('[');
            do {
                readValue(1);
                instances++;
            } while (next() == ',');
            if (bytes[pos - 1] != ']') {
                throw NotPlain.INSTANCE;
            }
        }

        private void readValue(final int depth) throws NotPlain {
            skipWhitespace();
            if (pos < end && bytes[pos] == '[') {
                readList(depth);
            } else {
                if (leafDepth < 0) {
                    leafDepth = depth;
                } else if (leafDepth != depth) {
                    throw NotPlain.INSTANCE;
                }
                readNumber();
            }
        }

        private void readList(final int depth) throws NotPlain {
            if (depth >= MAX_RANK || (leafDepth >= 0 && depth >= leafDepth)) {
                throw NotPlain.INSTANCE;
            }
            pos++;
            long elements = 0;
            do {
                readValue(depth + 1);
                elements++;
            } while (next() == ',');
            if (bytes[pos - 1] != ']') {
                throw NotPlain.INSTANCE;
            }
            if (dims[depth] < 0) {
                dims[depth] = elements;
            } else if (dims[depth] != elements) {
                throw NotPlain.INSTANCE;
            }
        }

        /** A JSON number without an exponent and with at most 15 significant digits, as an exact double. */
        private void readNumber() throws NotPlain {
            final boolean negative = pos < end && bytes[pos] == '-';
            if (negative) {
                pos++;
            }
            long mantissa = 0;
            int significant = 0;
            final int integerStart = pos;
            while (pos < end && isDigit(bytes[pos])) {
                final int digit = bytes[pos++] - '0';
                if (mantissa != 0 || digit != 0) {
                    significant++;
                }
                mantissa = mantissa * 10 + digit;
            }
            final int integerDigits = pos - integerStart;
            if (integerDigits == 0 || (integerDigits > 1 && bytes[integerStart] == '0')) {
                throw NotPlain.INSTANCE; // no digit, or a leading zero JSON forbids
            }
            int fractionDigits = 0;
            if (pos < end && bytes[pos] == '.') {
                pos++;
                while (pos < end && isDigit(bytes[pos])) {
                    final int digit = bytes[pos++] - '0';
                    if (mantissa != 0 || digit != 0) {
                        significant++;
                    }
                    mantissa = mantissa * 10 + digit;
                    fractionDigits++;
                }
                if (fractionDigits == 0) {
                    throw NotPlain.INSTANCE;
                }
            }
            if (significant > DecimalFastPath.MAX_DIGITS || fractionDigits > DecimalFastPath.MAX_FRACTION_DIGITS) {
                throw NotPlain.INSTANCE;
            }
            if (count == values.length) {
                if (count >= MAX_VALUES) {
                    throw NotPlain.INSTANCE;
                }
                values = Arrays.copyOf(values, Math.min(count * 2, MAX_VALUES));
            }
            values[count++] = DecimalFastPath.exact(negative, mantissa, fractionDigits);
        }

        private static boolean isDigit(final byte b) {
            return b >= '0' && b <= '9';
        }

        /** One of the three keys, as its constant; any other key leaves the subset. */
        private byte[] key() throws NotPlain {
            final int start = stringBody();
            final int length = pos - 1 - start;
            for (byte[] known : KEYS) {
                if (Arrays.equals(bytes, start, start + length, known, 0, known.length)) {
                    skipWhitespace();
                    return known;
                }
            }
            throw NotPlain.INSTANCE;
        }

        /** A string of printable ASCII without escapes. */
        private String string() throws NotPlain {
            final int start = stringBody();
            return new String(bytes, start, pos - 1 - start, StandardCharsets.US_ASCII);
        }

        /** Consumes a quoted string of printable ASCII without escapes; returns where its text starts. */
        private int stringBody() throws NotPlain {
            expect('"');
            final int start = pos;
            while (pos < end) {
                final byte b = bytes[pos++];
                if (b == '"') {
                    return start;
                }
                if (b < 0x20 || b == '\\' || b == 0x7f) { // control, escape, or a non-ASCII byte (negative)
                    throw NotPlain.INSTANCE;
                }
            }
            throw NotPlain.INSTANCE;
        }

        private void expect(final char c) throws NotPlain {
            skipWhitespace();
            if (pos >= end || bytes[pos] != c) {
                throw NotPlain.INSTANCE;
            }
            pos++;
        }

        /** The next byte after whitespace, consumed; a byte that is no delimiter here leaves the subset. */
        private byte next() throws NotPlain {
            skipWhitespace();
            if (pos >= end) {
                throw NotPlain.INSTANCE;
            }
            return bytes[pos++];
        }

        private void skipWhitespace() {
            while (pos < end) {
                final byte b = bytes[pos];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    return;
                }
                pos++;
            }
        }
    }
}
