package io.ringserve.models;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths to the TF Serving test SavedModels checked in under the repository's {@code testdata/}. */
public final class TestData {
    private TestData() {
    }

    /** {@code testdata/tfserving/<name>}, found from the module directory the tests run in. */
    public static Path tfServing(final String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            final Path candidate = dir.resolve("testdata").resolve("tfserving").resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/tfserving/" + name + " not found above " + Path.of("").toAbsolutePath());
    }
}
