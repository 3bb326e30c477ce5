package io.ringserve.server.inference;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which model version a request asks for: a name plus at most one of a version number or a version label; neither
 * means the latest. The transport-neutral form of TF Serving's {@code ModelSpec}.
 */
public record ModelSelector(String name, OptionalLong version, Optional<String> label) {
    public ModelSelector {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(label, "label");
        if (version.isPresent() && label.isPresent()) {
            throw ServingException.invalidArgument("Both model version (" + version.getAsLong()
                    + ") and model version label (" + label.get() + ") cannot be supplied.");
        }
    }

    /** The latest version of {@code name}. */
    public static ModelSelector latest(final String name) {
        return new ModelSelector(name, OptionalLong.empty(), Optional.empty());
    }

    /** TF Serving's rendering of the request in "Servable not found" messages. */
    String describe() {
        return version.isPresent() ? "Specific(" + name + ", " + version.getAsLong() + ")" : "Latest(" + name + ")";
    }
}
