package io.ringserve.models;

/** A SavedModel could not be found, read or loaded; the message names the path and the reason. */
public final class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(final String message, final Throwable cause) {
        super(message, cause);
    }

    public ModelLoadException(final String message) {
        super(message);
    }
}
