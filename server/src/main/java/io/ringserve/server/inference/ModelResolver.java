package io.ringserve.server.inference;

import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.VersionStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns a {@link ModelSelector} into a serving model version, signature or status list, answering misses with TF
 * Serving's errors and messages. Thread-safe.
 */
public final class ModelResolver {
    private final ModelRegistry registry;

    public ModelResolver(final ModelRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The registry this resolver looks models up in. */
    public ModelRegistry registry() {
        return registry;
    }

    /**
     * The serving version the selector names.
     *
     * @throws ServingException NOT_FOUND ({@code Servable not found for request: Latest(m)}) when no such version
     *     is serving; INVALID_ARGUMENT ({@code Unrecognized servable version label: l}) for a label the model does
     *     not have
     */
    public LoadedModel model(final ModelSelector selector) {
        final ModelSelector resolved = withoutLabel(selector);
        final var model = registry.get(resolved.name());
        final var loaded = resolved.version().isPresent()
                ? model.flatMap(m -> m.version(resolved.version().getAsLong()))
                : model.flatMap(ServedModel::latest);
        return loaded.orElseThrow(() -> ServingException.notFound(
                "Servable not found for request: " + resolved.describe()));
    }

    /**
     * The serving version the selector names, held for the request until the lease is closed or the work it is
     * handed to completes ({@link ModelLease}): what a request that runs the model resolves it with, so that a reload
     * meanwhile does not close the version under it.
     *
     * @throws ServingException as {@link #model}
     */
    public ModelLease lease(final ModelSelector selector) {
        return new ModelLease(model(selector));
    }

    /**
     * The signature {@code key} of {@code model}; an empty key means {@code serving_default}.
     *
     * @throws ServingException INVALID_ARGUMENT naming the signature when the model has none of that name
     */
    public static SignatureSpec signature(final LoadedModel model, final String key) {
        final String wanted = key.isEmpty() ? SignatureSpec.DEFAULT_KEY : key;
        return model.signature(wanted).orElseThrow(() -> ServingException.invalidArgument(
                "Serving signature name: \"" + wanted + "\" not found in signature def"));
    }

    /**
     * The status of every version of the model, or of the one version the selector names.
     *
     * @throws ServingException NOT_FOUND in TF Serving's words when the model or version is unknown
     */
    public List<VersionStatus> statuses(final ModelSelector request) {
        final ModelSelector selector = withoutLabel(request);
        final ServedModel model = registry.get(selector.name())
                .filter(m -> !m.statuses().isEmpty())
                .orElseThrow(() -> ServingException.notFound(
                        "Could not find any versions of model " + selector.name()));
        if (selector.version().isEmpty()) {
            return model.statuses();
        }
        final long version = selector.version().getAsLong();
        return List.of(model.status(version).orElseThrow(() -> ServingException.notFound(
                "Could not find version " + version + " of model " + selector.name())));
    }

    /** The selector with its label replaced by the version the label names, as TF Serving resolves labels. */
    private ModelSelector withoutLabel(final ModelSelector selector) {
        if (selector.label().isEmpty()) {
            return selector;
        }
        final String label = selector.label().get();
        final OptionalLong version = registry.get(selector.name())
                .map(model -> model.labelled(label)).orElse(OptionalLong.empty());
        if (version.isEmpty()) {
            // TF Serving's words; an empty label (version_label set to "") is said, not left blank.
            throw ServingException.invalidArgument("Unrecognized servable version label: "
                    + (label.isEmpty() ? "(an empty label)" : label));
        }
        return new ModelSelector(selector.name(), version, Optional.empty());
    }
}
