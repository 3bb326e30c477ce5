package io.ringserve.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/** Reading TF Serving's text-format configuration files, with errors that name the file. Stateless. */
final class TextFormatFiles {
    private TextFormatFiles() {
    }

    /**
     * {@code parse} of the text of {@code file}, a {@code what} ("batching parameters file", ...).
     *
     * @throws TextFormatException naming the file when it cannot be read, or when {@code parse} refuses its text
     *     (with a {@link TextFormatException} or an {@link IllegalArgumentException})
     */
    static <T> T read(final Path file, final String what, final Function<String, T> parse) {
        final String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TextFormatException("cannot read " + what + " " + file + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
        }
        try {
            return parse.apply(text);
        } catch (TextFormatException | IllegalArgumentException e) {
            throw new TextFormatException(what + " " + file + ": " + e.getMessage());
        }
    }
}
