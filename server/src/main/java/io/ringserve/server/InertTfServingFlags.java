package io.ringserve.server;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * TensorFlow Serving's flags that ringserve takes without acting on them, each with why, and the two it refuses:
 * a TF Serving command line starts unchanged unless it asks for something ringserve cannot do. TF Serving's parser
 * takes {@code --flag=value} (and a bare {@code --flag} for true); these flags are read the same way, from the
 * arguments no other flag matched. Stateless.
 */
final class InertTfServingFlags {
    /** The flags taken without effect, and why each has none (logged when given). */
    static final Map<String, String> NO_EFFECT = Map.ofEntries(
            Map.entry("--num_load_threads", "ringserve loads versions one at a time, on the loading or polling thread"),
            Map.entry("--num_unload_threads",
                    "ringserve unloads versions on a thread of its own once their requests are answered"),
            Map.entry("--grpc_max_threads", "gRPC runs on the event loops (--rest_api_num_threads)"),
            Map.entry("--flush_filesystem_caches", "ringserve keeps no file-system caches to flush"),
            Map.entry("--allow_version_labels_for_unavailable_models",
                    "a label whose version does not serve answers Servable not found at request time"),
            Map.entry("--force_allow_any_version_labels_for_unavailable_models",
                    "a label whose version does not serve answers Servable not found at request time"),
            Map.entry("--remove_unused_fields_from_bundle_metagraph",
                    "TensorFlow Java keeps the MetaGraphDef it loaded; ringserve has no switch for its fields"),
            Map.entry("--enable_profiler", "ringserve serves no TensorFlow profiler service"),
            Map.entry("--xla_cpu_compilation_enabled", "XLA compilation is as TensorFlow Java's build has it"),
            Map.entry("--xla_gpu_compilation_enabled", "XLA compilation is as TensorFlow Java's build has it"),
            Map.entry("--prefer_tflite_model",
                    "ringserve serves saved_model.pb, as TF Serving does for a version without model.tflite"),
            Map.entry("--num_tflite_pools", "ringserve runs no TensorFlow Lite models"),
            Map.entry("--num_tflite_interpreters_per_pool", "ringserve runs no TensorFlow Lite models"),
            Map.entry("--thread_pool_factory_config_file", "TensorFlow's own thread pools run every model "
                    + "(--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism)"),
            Map.entry("--skip_initialize_tpu", "ringserve initializes no TPU"));

    /** The inert flags TF Serving declares as integers; the others but one are booleans. */
    private static final Set<String> INTEGER_FLAGS = Set.of("--num_load_threads", "--num_unload_threads",
            "--grpc_max_threads", "--num_tflite_pools", "--num_tflite_interpreters_per_pool");
    /** The inert flag TF Serving declares as a string (a file name). */
    private static final Set<String> STRING_FLAGS = Set.of("--thread_pool_factory_config_file");

    /** Flags taken only when they ask for nothing: false, or an empty file name. */
    private static final Set<String> REFUSED_UNLESS_OFF = Set.of("--use_alts_credentials", "--mixed_precision");

    private InertTfServingFlags() {
    }

    /**
     * The inert flags among {@code arguments} (the ones no other flag matched), with their values, in the order
     * given; a later one wins. {@code --use_alts_credentials=false} and an empty {@code --mixed_precision=} are taken
     * and not returned: they ask for TF Serving's default.
     *
     * @param knownFlags the command's own flags, offered when an unknown flag is a near miss of one
     * @throws IllegalArgumentException naming the argument when it is not an inert flag, not in
     *     {@code --flag=value} form, or asks for something ringserve cannot do ({@code --use_alts_credentials})
     */
    static Map<String, String> given(final List<String> arguments, final Collection<String> knownFlags) {
        final Map<String, String> given = new LinkedHashMap<>();
        for (String argument : arguments) {
            if (!argument.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + argument
                        + "': flags are --name=value, as in TF Serving");
            }
            final int equals = argument.indexOf('=');
            final String flag = equals < 0 ? argument : argument.substring(0, equals);
            final String value = equals < 0 ? "true" : argument.substring(equals + 1);
            if (REFUSED_UNLESS_OFF.contains(flag)) {
                refuseWhatCannotBeServed(flag, value);
                continue;
            }
            if (!NO_EFFECT.containsKey(flag)) {
                throw new IllegalArgumentException("Unknown option: '" + argument + "'"
                        + nearest(flag, knownFlags).map(near -> "; did you mean " + near + "?").orElse(""));
            }
            if (equals < 0 && (INTEGER_FLAGS.contains(flag) || STRING_FLAGS.contains(flag))) {
                throw new IllegalArgumentException(flag + " needs a value: flags are --name=value, as in TF Serving");
            }
            requireTfServingType(flag, value);
            given.remove(flag);
            given.put(flag, value);
        }
        return given;
    }

    /** The known flag {@code flag} is a typo of (at most two edits away, the nearest first), if any. */
    static Optional<String> nearest(final String flag, final Collection<String> knownFlags) {
        return Stream.concat(knownFlags.stream(), NO_EFFECT.keySet().stream())
                .filter(known -> known.startsWith("--"))
                .map(known -> Map.entry(known, editDistance(flag, known)))
                .filter(candidate -> candidate.getValue() <= 2)
                .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey);
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each. */
    private static int editDistance(final String a, final String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** A value TF Serving's flag parser would refuse is refused too, though the flag has no effect here. */
    private static void requireTfServingType(final String flag, final String value) {
        if (STRING_FLAGS.contains(flag)) {
            return;
        }
        if (INTEGER_FLAGS.contains(flag)) {
            try {
                Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + "=" + value + ": not an integer (TF Serving's flag is one; "
                        + "it has no effect here)");
            }
            return;
        }
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "false", "1", "0", "yes", "no", "t", "f", "y", "n" -> { }
            default -> throw new IllegalArgumentException(flag + "=" + value + ": not true or false (TF Serving's "
                    + "flag is a boolean; it has no effect here)");
        }
    }

    private static void refuseWhatCannotBeServed(final String flag, final String value) {
        if (flag.equals("--use_alts_credentials") && isTrue(value)) {
            throw new IllegalArgumentException("--use_alts_credentials: ALTS credentials are not supported; serve "
                    + "gRPC over TLS with --ssl_config_file");
        }
        if (flag.equals("--mixed_precision") && !value.isEmpty()) {
            throw new IllegalArgumentException("--mixed_precision=" + value + ": mixed precision is not supported; "
                    + "models run in the precision they were saved in");
        }
    }

    private static boolean isTrue(final String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            default -> false;
        };
    }
}
