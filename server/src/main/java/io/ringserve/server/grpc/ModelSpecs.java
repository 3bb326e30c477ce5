package io.ringserve.server.grpc;

import com.google.protobuf.Int64Value;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.server.inference.ModelSelector;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.Optional;
import java.util.OptionalLong;

/** {@code ModelSpec} in and out, with TF Serving's errors. Stateless. */
final class ModelSpecs {
    private ModelSpecs() {
    }

    /**
     * The selector a request's spec names.
     *
     * @throws ServingException INVALID_ARGUMENT {@code Missing ModelSpec} or {@code ModelSpec has no name specified.}
     */
    static ModelSelector selector(final boolean present, final ModelSpec spec) {
        if (!present) {
            throw ServingException.invalidArgument("Missing ModelSpec");
        }
        if (spec.getName().isEmpty()) {
            throw ServingException.invalidArgument("ModelSpec has no name specified.");
        }
        final OptionalLong version = spec.hasVersion() ? OptionalLong.of(spec.getVersion().getValue())
                : OptionalLong.empty();
        final Optional<String> label = spec.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION_LABEL
                ? Optional.of(spec.getVersionLabel()) : Optional.empty();
        return new ModelSelector(spec.getName(), version, label);
    }

    /**
     * The signature a gRPC request names; empty means {@code serving_default}.
     *
     * @throws ServingException FAILED_PRECONDITION {@code Serving signature key "<s>" not found.}
     */
    static SignatureSpec signature(final LoadedModel model, final String name) {
        final String key = name.isEmpty() ? SignatureSpec.DEFAULT_KEY : name;
        return model.signature(key).orElseThrow(() -> new ServingException(StatusCode.FAILED_PRECONDITION,
                "Serving signature key \"" + key + "\" not found."));
    }

    /** The spec TF Serving answers with: the request's name, the resolved version and signature. */
    static ModelSpec resolved(final String name, final LoadedModel model, final String signatureKey) {
        return ModelSpec.newBuilder().setName(name).setVersion(Int64Value.of(model.version()))
                .setSignatureName(signatureKey).build();
    }
}
