package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFPermissionDeniedException;

/** A failed load's kind, as TF Serving reports it in a version's status ({@code error_code}). */
class ModelLoadExceptionTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameTheCodeOfTensorFlowsExceptionsAsTensorFlowDoes() {
        assertThat(new ModelLoadException("m", new TFPermissionDeniedException("x")).code())
                .isEqualTo("PERMISSION_DENIED");
        assertThat(new ModelLoadException("m", new TFInvalidArgumentException("x")).code())
                .isEqualTo("INVALID_ARGUMENT");
        assertThat(new ModelLoadException("m", new IllegalArgumentException("dtypes")).code())
                .isEqualTo("INVALID_ARGUMENT");
        assertThat(new ModelLoadException("m", new IllegalStateException("x")).code()).isEqualTo("UNKNOWN");
        assertThat(new ModelLoadException("m").code()).isEqualTo("UNKNOWN");
    }

    @Test
    void aVersionWithoutASavedModelShouldFailNotFoundAsInTfServing() throws Exception {
        Files.createDirectories(dir.resolve("1"));
        final ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        try {
            final ServedModel model = registry.add("m", dir);
            registry.loadAll();
            final VersionStatus status = model.status(1).orElseThrow();
            assertThat(status.errorCode()).isEqualTo("NOT_FOUND");
            assertThat(status.error()).hasValueSatisfying(error -> assertThat(error)
                    .startsWith("Could not find SavedModel .pb or .pbtxt"));
        } finally {
            registry.close();
        }
    }
}
