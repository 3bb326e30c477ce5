package io.ringserve.models;

import java.util.Locale;
import java.util.Objects;

/**
 * A SavedModel could not be found, read or loaded; the message names the path and the reason, {@link #code} the
 * kind, as TensorFlow's status codes name it ({@code NOT_FOUND}, {@code INVALID_ARGUMENT}, ...), which TF Serving
 * reports in a version's status.
 */
public final class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public ModelLoadException(final String message, final Throwable cause) {
        this(codeOf(cause), message, cause);
    }

    public ModelLoadException(final String message) {
        this("UNKNOWN", message, null);
    }

    /** @param code TensorFlow's status code name */
    public ModelLoadException(final String code, final String message, final Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** TensorFlow's status code name of the failure: {@code NOT_FOUND}, {@code INVALID_ARGUMENT}, ... */
    public String code() {
        return code;
    }

    /**
     * The code of a TensorFlow Java exception, from its class ({@code TFNotFoundException} is {@code NOT_FOUND});
     * an {@link IllegalArgumentException} (a signature that disagrees with its graph) is {@code INVALID_ARGUMENT};
     * anything else, and a load failure in a cause, {@code UNKNOWN} or the cause's own.
     */
    static String codeOf(final Throwable failure) {
        if (failure instanceof ModelLoadException loadFailure) {
            return loadFailure.code;
        }
        if (failure instanceof IllegalArgumentException) {
            return "INVALID_ARGUMENT";
        }
        if (failure == null) {
            return "UNKNOWN";
        }
        final String name = failure.getClass().getSimpleName();
        if (name.startsWith("TF") && name.endsWith("Exception") && name.length() > "TFException".length()) {
            return name.substring(2, name.length() - "Exception".length())
                    .replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        }
        return "UNKNOWN";
    }
}
