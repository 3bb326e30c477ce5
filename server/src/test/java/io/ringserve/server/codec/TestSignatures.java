package io.ringserve.server.codec;

import io.ringserve.models.DType;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Predict signatures for codec tests, built from inputs of a known dtype and, where given, shape. */
final class TestSignatures {
    private TestSignatures() {
    }

    static TensorSpec input(final String alias, final DType dtype) {
        return new TensorSpec(alias, alias + ":0", dtype.protoName(), dtype.protoNumber(), Optional.empty());
    }

    /** An input of a known dtype and shape ({@code -1} for an unknown dimension). */
    static TensorSpec input(final String alias, final DType dtype, final long... dims) {
        final List<Long> shape = Arrays.stream(dims).boxed().toList();
        return new TensorSpec(alias, alias + ":0", dtype.protoName(), dtype.protoNumber(),
                Optional.of(new TensorSpec.Shape(shape, Collections.nCopies(shape.size(), ""), false)));
    }

    /** The default predict signature with {@code inputs} in their order and no outputs. */
    static SignatureSpec signature(final TensorSpec... inputs) {
        final Map<String, TensorSpec> map = new LinkedHashMap<>();
        for (TensorSpec spec : inputs) {
            map.put(spec.alias(), spec);
        }
        return new SignatureSpec(SignatureSpec.DEFAULT_KEY, "tensorflow/serving/predict", map, Map.of());
    }
}
