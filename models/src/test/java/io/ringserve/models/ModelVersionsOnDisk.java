package io.ringserve.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A model base path in a test's directory whose versions the test adds and removes. */
public final class ModelVersionsOnDisk {
    private final Path basePath;

    public ModelVersionsOnDisk(final Path basePath) {
        this.basePath = basePath;
    }

    public Path basePath() {
        return basePath;
    }

    /** Adds {@code version}: a copy of the one version of TF Serving's test model {@code testModel}. */
    public ModelVersionsOnDisk add(final long version, final String testModel) {
        try (Stream<Path> versions = Files.list(TestData.tfServing(testModel))) {
            copy(versions.filter(Files::isDirectory).findFirst().orElseThrow(), basePath.resolve(Long.toString(version)));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code version} holding a file that is not a SavedModel. */
    public ModelVersionsOnDisk addBroken(final long version) {
        try {
            Files.createDirectories(basePath.resolve(Long.toString(version)));
            Files.writeString(basePath.resolve(Long.toString(version)).resolve("saved_model.pb"), "not a SavedModel");
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code version}'s directory. */
    public ModelVersionsOnDisk remove(final long version) {
        try (Stream<Path> files = Files.walk(basePath.resolve(Long.toString(version)))) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(file);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(final Path from, final Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
