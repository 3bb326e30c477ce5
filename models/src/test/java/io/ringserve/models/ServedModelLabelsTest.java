package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A label whose version does not serve is told of once, and again only if it changes. */
class ServedModelLabelsTest {
    @Test
    void aLabelNamingAVersionThatDoesNotServeShouldBeToldOnce() {
        final ServedModel model = new ServedModel("m", Path.of("/models/m"), Map.of("stable", 5L, "canary", 6L));
        assertThat(model.unservedLabels()).containsExactly(Map.entry("canary", 6L), Map.entry("stable", 5L));
        assertThat(model.unservedLabels()).as("told already").isEmpty();
        model.setLabels(Map.of("stable", 7L));
        assertThat(model.unservedLabels()).as("moved: told again").containsExactly(Map.entry("stable", 7L));
        model.setLabels(Map.of("stable", 7L, "canary", 6L));
        assertThat(model.unservedLabels()).as("dropped, then given again").containsExactly(Map.entry("canary", 6L));
    }
}
