package io.ringserve.server.config;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TF Serving's {@code BatchingParameters} text file ({@code --batching_parameters_file}) as {@link BatchingOptions}.
 * Existing TF Serving files work unchanged:
 *
 * <pre>
 * max_batch_size { value: 64 }
 * batch_timeout_micros { value: 2000 }
 * max_enqueued_batches { value: 100 }
 * num_batch_threads { value: 4 }
 * allowed_batch_sizes: 16
 * allowed_batch_sizes: 64
 * </pre>
 *
 * <p>Wrapped fields take {@code { value: N }}; {@code allowed_batch_sizes} repeats or takes a {@code [..]} list.
 * {@code pad_variable_length_inputs} lets requests that differ past dimension 0 share batches, padded as TF Serving
 * pads them. Fields that TF Serving knows but ringserve does not need ({@code thread_pool_name},
 * {@code batch_padding_policy}, {@code num_batch_threads_per_model}) are accepted and logged.
 * Unknown field names are errors, as in TF Serving.
 */
public final class BatchingParametersFile {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingParametersFile.class);
    private static final Set<String> IGNORED = Set.of("thread_pool_name", "batch_padding_policy",
            "num_batch_threads_per_model");

    private BatchingParametersFile() {
    }

    /** Reads and converts {@code file}; errors name the file. */
    public static BatchingOptions read(final Path file, final ClosePolicy policy) {
        return TextFormatFiles.read(file, "batching parameters file", text -> parse(text, policy));
    }

    /**
     * The longest batch timeout kept as given, about 73 years: TF Serving takes any int64 of microseconds, and a
     * longer one means the same (a batch closes when full), but would overflow the batcher's clock arithmetic.
     */
    static final long MAX_BATCH_TIMEOUT_MICROS = Long.MAX_VALUE / 4 / 1000;

    private static Duration batchTimeout(final long micros) {
        // A negative one stays negative (whatever its size), for BatchingOptions to refuse naming the field.
        return micros < 0 ? Duration.ofNanos(-1) : Duration.ofNanos(Math.min(micros, MAX_BATCH_TIMEOUT_MICROS) * 1000L);
    }

    /** Converts the text of a BatchingParameters message. */
    public static BatchingOptions parse(final String text, final ClosePolicy policy) {
        final TextMessage message = TextFormatParser.parse(text);
        final BatchingOptions.Builder options = BatchingOptions.builder().closePolicy(policy);
        for (String field : message.fieldNames()) {
            switch (field) {
                case "max_batch_size" -> options.maxBatchSize(intValue(message, field));
                case "batch_timeout_micros" -> options.batchTimeout(batchTimeout(longValue(message, field)));
                case "max_enqueued_batches" -> options.maxEnqueuedBatches(intValue(message, field));
                case "num_batch_threads" -> options.numBatchThreads(intValue(message, field));
                case "allowed_batch_sizes" -> options.allowedBatchSizes(intList(message, field));
                case "enable_large_batch_splitting" -> options.enableLargeBatchSplitting(
                        boolValue(message, field));
                case "max_execution_batch_size" -> options.maxExecutionBatchSize(intValue(message, field));
                case "pad_variable_length_inputs" -> options.padVariableLengthInputs(
                        boolValue(message, field));
                default -> {
                    if (!IGNORED.contains(field)) {
                        throw new TextFormatException("unknown field '" + field + "' in BatchingParameters");
                    }
                    LOG.info("Batching parameter '{}' is accepted and not needed by ringserve", field);
                }
            }
        }
        return options.build();
    }

    /** A wrapper-typed field ({@code name { value: x }}) or, leniently, a plain {@code name: x}. */
    private static String wrapped(final TextMessage message, final String field) {
        final Object value = message.singular(field).get(0);
        if (value instanceof TextMessage wrapper) {
            return wrapper.scalar("value").orElseThrow(() ->
                    new TextFormatException("field '" + field + "' needs { value: ... }"));
        }
        return (String) value;
    }

    /** A wrapped bool as protobuf's text format writes one ({@code true}, {@code True}, {@code t}, {@code 1}, ...). */
    private static boolean boolValue(final TextMessage message, final String field) {
        final String text = wrapped(message, field);
        return switch (text) {
            case "true", "True", "t", "1" -> true;
            case "false", "False", "f", "0" -> false;
            default -> throw new TextFormatException(field + " must be true or false, got '" + text + "'");
        };
    }

    private static long longValue(final TextMessage message, final String field) {
        final String text = wrapped(message, field);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new TextFormatException("field '" + field + "' must be an integer, got '" + text + "'");
        }
    }

    private static int intValue(final TextMessage message, final String field) {
        final long value = longValue(message, field);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new TextFormatException("field '" + field + "' is out of range: " + value);
        }
        return (int) value;
    }

    private static List<Integer> intList(final TextMessage message, final String field) {
        final List<Integer> values = new ArrayList<>();
        for (Object value : message.values(field)) {
            try {
                values.add(Integer.parseInt((String) value));
            } catch (ClassCastException | NumberFormatException e) {
                throw new TextFormatException("field '" + field + "' must hold integers, got '" + value + "'");
            }
        }
        return values;
    }
}
