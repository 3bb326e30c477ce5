package io.ringserve.loadtest;

import io.ringserve.models.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One input of the signature under test, as the server's metadata describes it.
 *
 * @param alias the input's name in requests
 * @param dtype TensorFlow's type name, e.g. {@code DT_FLOAT}
 * @param dims the declared dimensions, {@code -1} where unknown; the first is the batch dimension
 */
public record InputSpec(String alias, String dtype, List<Long> dims) {
    public InputSpec {
        dims = List.copyOf(dims);
    }

    /** Elements in one row: the product of the dimensions past the first, unknown ones taken as 1. */
    public int rowElements() {
        int n = 1;
        for (long dim : shape(1)) {
            n *= (int) dim;
        }
        return n;
    }

    /** The shape of {@code rows} rows: {@code rows}, then the dimensions past the first, unknown ones taken as 1. */
    public List<Long> shape(final int rows) {
        final List<Long> shape = new ArrayList<>(dims.size());
        shape.add((long) rows);
        for (int i = 1; i < dims.size(); i++) {
            shape.add(Math.max(1, dims.get(i)));
        }
        return shape;
    }

    /**
     * The KServe V2 datatype of this input ({@code FP32} for {@code DT_FLOAT}, ...).
     *
     * @throws IllegalArgumentException naming the input when its type has none
     */
    public String v2Datatype() {
        return DType.fromProtoName(dtype).map(DType::v2Datatype).orElseThrow(() -> new IllegalArgumentException(
                "input '" + alias + "' is " + dtype + ", which has no KServe V2 datatype"));
    }

    /** TensorFlow's type name of a KServe V2 datatype ({@code DT_FLOAT} for {@code FP32}, ...), if it has one. */
    public static Optional<String> dtypeOfV2(final String datatype) {
        return DType.fromV2Datatype(datatype).map(DType::protoName);
    }

    /** Bytes per element in a tensor's raw little-endian form; -1 for strings, which have no fixed width. */
    public int elementBytes() {
        return DType.fromProtoName(dtype).map(DType::byteSize).orElseThrow(() -> new IllegalArgumentException(
                "input '" + alias + "' is " + dtype + ", which the load generator cannot fill"));
    }
}
