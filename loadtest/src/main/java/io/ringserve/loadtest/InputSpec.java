package io.ringserve.loadtest;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One input of the signature under test, as the server's metadata describes it.
 *
 * @param alias the input's name in requests
 * @param dtype TensorFlow's type name, e.g. {@code DT_FLOAT}
 * @param dims the declared dimensions, {@code -1} where unknown; the first is the batch dimension
 */
public record InputSpec(String alias, String dtype, List<Long> dims) {
    /**
     * TensorFlow's types and their KServe V2 datatype names (the V2 protocol's tensor data types). The load
     * generator keeps its own table, not the server's, so that it describes any V2 server's metadata alike.
     */
    private static final Map<String, String> V2_DATATYPES = Map.ofEntries(
            Map.entry("DT_BOOL", "BOOL"), Map.entry("DT_UINT8", "UINT8"), Map.entry("DT_UINT16", "UINT16"),
            Map.entry("DT_UINT32", "UINT32"), Map.entry("DT_UINT64", "UINT64"), Map.entry("DT_INT8", "INT8"),
            Map.entry("DT_INT16", "INT16"), Map.entry("DT_INT32", "INT32"), Map.entry("DT_INT64", "INT64"),
            Map.entry("DT_HALF", "FP16"), Map.entry("DT_FLOAT", "FP32"), Map.entry("DT_DOUBLE", "FP64"),
            Map.entry("DT_STRING", "BYTES"), Map.entry("DT_BFLOAT16", "BF16"));

    public InputSpec {
        dims = List.copyOf(dims);
    }

    /** Elements in one row: the product of the dimensions past the first, unknown ones taken as 1. */
    public int rowElements() {
        int n = 1;
        for (int i = 1; i < dims.size(); i++) {
            n *= (int) Math.max(1, dims.get(i));
        }
        return n;
    }

    /**
     * The KServe V2 datatype of this input ({@code FP32} for {@code DT_FLOAT}, ...).
     *
     * @throws IllegalArgumentException naming the input when its type has none
     */
    public String v2Datatype() {
        final String datatype = V2_DATATYPES.get(dtype);
        if (datatype == null) {
            throw new IllegalArgumentException("input '" + alias + "' is " + dtype
                    + ", which has no KServe V2 datatype");
        }
        return datatype;
    }

    /** TensorFlow's type name of a KServe V2 datatype ({@code DT_FLOAT} for {@code FP32}, ...), if it has one. */
    public static Optional<String> dtypeOfV2(final String datatype) {
        return V2_DATATYPES.entrySet().stream().filter(e -> e.getValue().equals(datatype)).map(Map.Entry::getKey)
                .findFirst();
    }

    /** Bytes per element in a tensor's raw little-endian form; -1 for strings, which have no fixed width. */
    public int elementBytes() {
        return switch (dtype) {
            case "DT_BOOL", "DT_UINT8", "DT_INT8" -> 1;
            case "DT_UINT16", "DT_INT16", "DT_HALF", "DT_BFLOAT16" -> 2;
            case "DT_UINT32", "DT_INT32", "DT_FLOAT" -> 4;
            case "DT_UINT64", "DT_INT64", "DT_DOUBLE" -> 8;
            case "DT_STRING" -> -1;
            default -> throw new IllegalArgumentException("input '" + alias + "' is " + dtype
                    + ", which the load generator cannot fill");
        };
    }
}
