package io.ringserve.models;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A signature of a SavedModel: its key, method name, and its inputs and outputs by alias, in the order the
 * model declares them. Immutable.
 */
public final class SignatureSpec {
    /** The signature TF Serving uses when a request names none. */
    public static final String DEFAULT_KEY = "serving_default";

    private final String key;
    private final String methodName;
    private final Map<String, TensorSpec> inputs;
    private final Map<String, TensorSpec> outputs;
    private final List<String> outputAliases;

    public SignatureSpec(final String key, final String methodName, final Map<String, TensorSpec> inputs,
                         final Map<String, TensorSpec> outputs) {
        this.key = Objects.requireNonNull(key, "key");
        this.methodName = Objects.requireNonNull(methodName, "methodName");
        this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.outputAliases = List.copyOf(this.outputs.keySet());
    }

    public String key() {
        return key;
    }

    /** E.g. {@code tensorflow/serving/predict}; empty for TF2's init-op pseudo-signature. */
    public String methodName() {
        return methodName;
    }

    /** Inputs by alias, in declaration order. */
    public Map<String, TensorSpec> inputs() {
        return inputs;
    }

    /** Outputs by alias, in declaration order. */
    public Map<String, TensorSpec> outputs() {
        return outputs;
    }

    /** The output aliases in declaration order: what a request without an output filter fetches. */
    public List<String> outputAliases() {
        return outputAliases;
    }

    @Override
    public String toString() {
        return "SignatureSpec{" + key + ", inputs=" + inputs.keySet() + ", outputs=" + outputs.keySet() + "}";
    }
}
