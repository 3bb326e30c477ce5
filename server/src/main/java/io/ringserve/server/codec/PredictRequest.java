package io.ringserve.server.codec;

import io.ringserve.models.HostTensor;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded TF Serving predict request.
 *
 * @param signatureName the requested signature; empty when the request names none
 * @param rowFormat true for {@code instances} (answered with {@code predictions}), false for {@code inputs}
 *     (answered with {@code outputs})
 * @param inputs one tensor per signature input, by alias
 */
public record PredictRequest(String signatureName, boolean rowFormat, Map<String, HostTensor> inputs) {
    public PredictRequest {
        Objects.requireNonNull(signatureName, "signatureName");
        inputs = Map.copyOf(inputs);
    }
}
