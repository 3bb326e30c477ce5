package io.ringserve.server.codec;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.inference.ServingException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The inputs of one KServe V2 inference, gathered against the model's signature the same way over REST and gRPC:
 * each named input must be one of the signature's and feedable, none may come twice, and none may be missing; a
 * requested output must be one of the signature's and asked for once. Not thread-safe: one per request.
 */
public final class V2Inputs {
    private final SignatureSpec signature;
    private final Map<String, HostTensor> tensors = new LinkedHashMap<>();

    public V2Inputs(final SignatureSpec signature) {
        this.signature = Objects.requireNonNull(signature, "signature");
    }

    /**
     * The signature's input {@code name}.
     *
     * @throws ServingException INVALID_ARGUMENT when the signature has no such input, or one ringserve cannot feed
     */
    public TensorSpec spec(final String name) {
        final TensorSpec spec = signature.inputs().get(name);
        if (spec == null) {
            throw ServingException.invalidArgument("Unknown input '" + name + "'; the model's inputs are "
                    + signature.inputs().keySet());
        }
        if (spec.dtype().isEmpty()) {
            throw ServingException.invalidArgument("Input '" + spec.alias() + "' has type " + spec.dtypeName()
                    + ", which ringserve cannot feed");
        }
        return spec;
    }

    /** The type input {@code spec} is fed as; {@link #spec} has checked there is one. */
    public static DType type(final TensorSpec spec) {
        return spec.dtype().orElseThrow();
    }

    /**
     * Adds the tensor of input {@code spec}.
     *
     * @throws ServingException INVALID_ARGUMENT when the input was given already
     */
    public void add(final TensorSpec spec, final HostTensor tensor) {
        if (tensors.put(spec.alias(), tensor) != null) {
            throw ServingException.invalidArgument("input '" + spec.alias() + "' is given twice");
        }
    }

    /**
     * Every input of the signature, by alias.
     *
     * @throws ServingException INVALID_ARGUMENT naming an input the request did not give
     */
    public Map<String, HostTensor> all() {
        for (String alias : signature.inputs().keySet()) {
            if (!tensors.containsKey(alias)) {
                throw ServingException.invalidArgument("input '" + alias + "' is missing; the model's inputs are "
                        + signature.inputs().keySet());
            }
        }
        return tensors;
    }

    /**
     * Checks that the request may ask for output {@code name}, having asked for {@code asked} before it.
     *
     * @throws ServingException INVALID_ARGUMENT for an output the signature does not have, or one asked twice
     */
    public static void requireOutput(final SignatureSpec signature, final String name, final Set<String> asked) {
        if (!signature.outputs().containsKey(name)) {
            throw ServingException.invalidArgument("Unknown output '" + name + "'; the model's outputs are "
                    + signature.outputs().keySet());
        }
        if (asked.contains(name)) {
            throw ServingException.invalidArgument("output '" + name + "' already exists in request");
        }
    }
}
