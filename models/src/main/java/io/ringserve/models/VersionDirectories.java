package io.ringserve.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Finds the version directories under a model's base path, as TF Serving's file-system source does: every child
 * directory whose whole name is a non-negative decimal integer (leading zeros allowed, {@code 00000123} is 123).
 */
public final class VersionDirectories {
    private VersionDirectories() {
    }

    /**
     * The versions under {@code basePath}, oldest first.
     *
     * @throws ModelLoadException if the base path does not exist or cannot be listed
     */
    public static TreeMap<Long, Path> list(final Path basePath) {
        if (!Files.isDirectory(basePath)) {
            throw new ModelLoadException("Model base path does not exist or is not a directory: " + basePath);
        }
        final TreeMap<Long, Path> versions = new TreeMap<>();
        try (Stream<Path> children = Files.list(basePath)) {
            children.filter(Files::isDirectory).forEach(dir -> parseVersion(dir.getFileName().toString())
                    .ifPresent(v -> versions.put(v, dir)));
        } catch (IOException e) {
            throw new ModelLoadException("Cannot list model base path " + basePath + ": " + e.getMessage(), e);
        }
        return versions;
    }

    /** The newest version directory, if there is one. */
    public static Optional<Map.Entry<Long, Path>> latest(final Path basePath) {
        return Optional.ofNullable(list(basePath).lastEntry());
    }

    /**
     * The version a directory name is, as TF Serving reads it: digits only, leading zeros allowed, up to the largest
     * int64 (a nanosecond timestamp has 19 digits); anything else is not a version directory.
     */
    static OptionalLong parseVersion(final String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(name));
        } catch (NumberFormatException tooLarge) {
            return OptionalLong.empty();
        }
    }
}
