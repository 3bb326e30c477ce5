package io.ringserve.models;

import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which of a model's version directories to serve: TF Serving's {@code ServableVersionPolicy}. Immutable.
 */
public sealed interface VersionPolicy {
    /** TF Serving's default: the newest version. */
    VersionPolicy NEWEST = new Latest(1);

    /**
     * The versions to serve among {@code available} (version to directory, any order), oldest first. Versions the
     * policy names that are not there are left out ({@link #missing} tells which).
     */
    NavigableMap<Long, Path> select(NavigableMap<Long, Path> available);

    /** The versions the policy names that are not among {@code available}; empty unless {@link Specific}. */
    default SortedSet<Long> missing(final NavigableMap<Long, Path> available) {
        return new TreeSet<>();
    }

    /** The newest {@code versions} versions. */
    record Latest(int versions) implements VersionPolicy {
        public Latest {
            if (versions < 1) {
                throw new IllegalArgumentException("latest needs num_versions >= 1, got " + versions);
            }
        }

        @Override
        public NavigableMap<Long, Path> select(final NavigableMap<Long, Path> available) {
            final NavigableMap<Long, Path> chosen = new TreeMap<>();
            for (var entry : available.descendingMap().entrySet()) {
                if (chosen.size() == versions) {
                    break;
                }
                chosen.put(entry.getKey(), entry.getValue());
            }
            return chosen;
        }
    }

    /** Every version. */
    record All() implements VersionPolicy {
        @Override
        public NavigableMap<Long, Path> select(final NavigableMap<Long, Path> available) {
            return new TreeMap<>(available);
        }
    }

    /** The versions named, those of them that exist. */
    record Specific(Set<Long> versions) implements VersionPolicy {
        public Specific {
            versions = Set.copyOf(versions);
            if (versions.isEmpty()) {
                throw new IllegalArgumentException("specific needs at least one version");
            }
        }

        @Override
        public NavigableMap<Long, Path> select(final NavigableMap<Long, Path> available) {
            final NavigableMap<Long, Path> chosen = new TreeMap<>();
            versions.stream().filter(available::containsKey).forEach(v -> chosen.put(v, available.get(v)));
            return chosen;
        }

        @Override
        public SortedSet<Long> missing(final NavigableMap<Long, Path> available) {
            final SortedSet<Long> missing = new TreeSet<>(versions);
            missing.removeAll(available.keySet());
            return missing;
        }
    }
}
