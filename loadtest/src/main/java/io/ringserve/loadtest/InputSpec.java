package io.ringserve.loadtest;

import java.util.List;

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
        for (int i = 1; i < dims.size(); i++) {
            n *= (int) Math.max(1, dims.get(i));
        }
        return n;
    }
}
