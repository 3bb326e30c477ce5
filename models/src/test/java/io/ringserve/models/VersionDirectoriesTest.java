package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionDirectoriesTest {
    @TempDir
    Path base;

    @Test
    void shouldListOnlyIntegerDirectoriesOldestFirst() throws IOException {
        Files.createDirectories(base.resolve("00000123"));
        Files.createDirectories(base.resolve("7"));
        Files.createDirectories(base.resolve("124"));
        Files.createDirectories(base.resolve("v2"));
        Files.createDirectories(base.resolve("-1"));
        Files.createFile(base.resolve("999"));
        assertThat(VersionDirectories.list(base).keySet()).containsExactly(7L, 123L, 124L);
        assertThat(VersionDirectories.latest(base).orElseThrow().getKey()).isEqualTo(124L);
    }

    @Test
    void shouldReadVersionsUpToTheLargestInt64AsTfServingDoes() {
        assertThat(VersionDirectories.parseVersion("1717171717171717171")).hasValue(1717171717171717171L);
        assertThat(VersionDirectories.parseVersion("0000000000000000123")).hasValue(123);
        assertThat(VersionDirectories.parseVersion("9223372036854775807")).hasValue(Long.MAX_VALUE);
        assertThat(VersionDirectories.parseVersion("9223372036854775808")).isEmpty();
        assertThat(VersionDirectories.parseVersion("12a")).isEmpty();
        assertThat(VersionDirectories.parseVersion("")).isEmpty();
    }

    @Test
    void shouldFindTheNewestOfTheTwoVersionTestModel() {
        assertThat(VersionDirectories.latest(TestData.tfServing("saved_model_half_plus_two_2_versions"))
                .orElseThrow().getKey()).isEqualTo(124L);
    }

    @Test
    void shouldNameAMissingBasePath() {
        final Path missing = base.resolve("nope");
        assertThatThrownBy(() -> VersionDirectories.list(missing))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(missing.toString());
    }
}
