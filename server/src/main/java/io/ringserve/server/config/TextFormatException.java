package io.ringserve.server.config;

/** A configuration file is not valid protobuf text format, or names a field or value its message does not have. */
public final class TextFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TextFormatException(final String message) {
        super(message);
    }
}
