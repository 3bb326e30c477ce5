package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VersionPolicyTest {
    private static final NavigableMap<Long, Path> AVAILABLE = new TreeMap<>(java.util.Map.of(
            1L, Path.of("/m/1"), 5L, Path.of("/m/5"), 12L, Path.of("/m/12")));

    @Test
    void latestTakesTheNewestVersionsAsTfServingsDefaultPolicyDoes() {
        assertThat(VersionPolicy.NEWEST.select(AVAILABLE)).containsOnlyKeys(12L);
        assertThat(new VersionPolicy.Latest(2).select(AVAILABLE)).containsOnlyKeys(5L, 12L);
        assertThat(new VersionPolicy.Latest(9).select(AVAILABLE)).containsOnlyKeys(1L, 5L, 12L);
        assertThat(VersionPolicy.NEWEST.missing(AVAILABLE)).isEmpty();
        assertThatThrownBy(() -> new VersionPolicy.Latest(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allTakesEveryVersion() {
        assertThat(new VersionPolicy.All().select(AVAILABLE)).isEqualTo(AVAILABLE);
    }

    @Test
    void specificTakesTheNamedVersionsThatExistAndTellsWhichDoNot() {
        final VersionPolicy specific = new VersionPolicy.Specific(Set.of(5L, 7L, 1L));
        assertThat(specific.select(AVAILABLE)).containsOnlyKeys(1L, 5L).containsEntry(5L, Path.of("/m/5"));
        assertThat(specific.missing(AVAILABLE)).containsExactly(7L);
        assertThat(new VersionPolicy.Specific(Set.of(3L)).select(AVAILABLE)).isEmpty();
    }
}
