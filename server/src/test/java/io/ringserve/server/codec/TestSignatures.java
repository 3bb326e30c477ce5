package io.ringserve.server.codec;

import io.ringserve.models.DType;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Predict signatures for codec tests, built from inputs of a known dtype and unknown shape. */
final class TestSignatures {
    private TestSignatures() {
    }

    static TensorSpec input(final String alias, final DType dtype) {
        return new TensorSpec(alias, alias + ":0", dtype.protoName(), dtype.protoNumber(), Optional.empty());
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
