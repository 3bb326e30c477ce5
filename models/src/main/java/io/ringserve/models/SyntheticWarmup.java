package io.ringserve.models;

import io.ringserve.batching.BatchingOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms a version up without recorded requests: runs each signature whose inputs it can build on inputs of zeros, at
 * every batch size the version will run at ({@code batchSizes}: 1 without batching; the allowed batch sizes, or 1
 * and the largest batch, with it), so that TensorFlow's lazy set-up (oneDNN's kernel generation, its memory pools,
 * a first {@code Session.run} that costs 15-40 ms on the demo {@code mlp}) happens before the version serves and not
 * on its first requests. TF Serving warms a model up only from {@code assets.extra/tf_serving_warmup_requests}; this
 * is what ringserve does for versions without that file.
 *
 * <p>A signature is left out, and named in the log, when an input is a string (a serialized tf.Example or an image
 * of zeros is rarely valid input), has a type TensorFlow Java cannot feed, or has a dimension other than the first
 * that the signature leaves unknown, and when running it would change the model's state (it assigns a variable,
 * changes a table, writes a file: {@link LoadedModel#stateChangingOp}), so that made-up inputs never change what the
 * model answers later. A batch size whose inputs would exceed {@link #MAX_INPUT_BYTES} is left out.
 * The calls run on the loading thread, straight on the model (not through the batcher: no queue, no batching
 * metrics), each cancelled by TensorFlow after {@link #CALL_TIMEOUT}. A call that fails or times out is logged and
 * does not stop the version from serving: zeros may be invalid input for a model that serves its real requests well.
 * Thread-safe.
 */
public final class SyntheticWarmup implements VersionWarmup {
    /** The most bytes of inputs one warm-up call builds. */
    static final long MAX_INPUT_BYTES = 64L << 20;
    /**
     * How long one call may run before TensorFlow cancels it: a loop whose end depends on its inputs might not end
     * on zeros, and the version's load must not wait for it.
     */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** The signature TF2 SavedModels keep their initialisation in: it runs once, when the version loads. */
    private static final String INIT_OP_SIGNATURE = "__saved_model_init_op";
    private static final Logger LOG = LoggerFactory.getLogger(SyntheticWarmup.class);

    private final Function<LoadedModel, List<Integer>> batchSizes;

    /** @param batchSizes the batch sizes a version runs at, each at least 1 */
    public SyntheticWarmup(final Function<LoadedModel, List<Integer>> batchSizes) {
        this.batchSizes = Objects.requireNonNull(batchSizes, "batchSizes");
    }

    /**
     * The batch sizes a batcher with {@code options} runs at, for a warm-up to cover: its allowed batch sizes (every
     * batch is padded to one), or else 1 and the largest batch it runs. On the demo {@code mlp} the first call at
     * batch 1 and the first at a larger size each cost 15-40 ms; later new sizes cost under 1 ms more.
     */
    public static List<Integer> batchSizes(final BatchingOptions options) {
        if (!options.allowedBatchSizes().isEmpty()) {
            return List.copyOf(options.allowedBatchSizes());
        }
        return options.maxExecutionBatchSize() == 1 ? List.of(1) : List.of(1, options.maxExecutionBatchSize());
    }

    @Override
    public void warmUp(final LoadedModel model) {
        final long start = System.nanoTime();
        final Plan plan = plan(model.signatures(), batchSizes.apply(model), model::stateChangingOp);
        final Map<String, List<Integer>> warmed = new LinkedHashMap<>();
        final List<String> failed = new ArrayList<>();
        for (Call call : plan.calls()) {
            final String key = call.signature().key();
            if (failed.contains(key)) {
                continue;
            }
            try {
                model.run(call.signature(), zeros(call.signature(), call.rows()), call.signature().outputAliases(),
                        CALL_TIMEOUT);
                warmed.computeIfAbsent(key, k -> new ArrayList<>()).add(call.rows());
            } catch (RuntimeException e) {
                failed.add(key);
                LOG.warn("Synthetic warm-up of model {} version {} signature {} at {} rows failed; the version "
                        + "serves anyway: {}", model.name(), model.version(), key, call.rows(), e.getMessage());
            }
        }
        final List<String> done = new ArrayList<>();
        warmed.forEach((key, rows) -> done.add(key + " at " + rows + " rows"));
        LOG.info("Warmed up model {} version {} on zeros (no assets.extra/tf_serving_warmup_requests) in {} ms: {}{}",
                model.name(), model.version(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                done.isEmpty() ? "no signature" : String.join(", ", done),
                plan.leftOut().isEmpty() ? "" : "; not warmed: " + String.join(", ", plan.leftOut()));
    }

    /** One warm-up call: {@code signature} on zeros of {@code rows} rows. */
    record Call(SignatureSpec signature, int rows) {
    }

    /**
     * What a warm-up runs, in order, and what it leaves out, each with the reason.
     *
     * @param leftOut signatures (or a signature at one batch size) not warmed, e.g. {@code classify (input
     *     'inputs' is a string)}
     */
    record Plan(List<Call> calls, List<String> leftOut) {
    }

    /**
     * The calls that warm {@code signatures} up at {@code batchSizes}, signature by signature.
     *
     * @param stateChange the op a signature would run that changes the model's state, if any
     */
    static Plan plan(final Collection<SignatureSpec> signatures, final List<Integer> batchSizes,
                     final Function<SignatureSpec, Optional<String>> stateChange) {
        final List<Call> calls = new ArrayList<>();
        final List<String> leftOut = new ArrayList<>();
        for (SignatureSpec signature : signatures) {
            if (signature.key().equals(INIT_OP_SIGNATURE)) {
                continue;
            }
            final Optional<String> unsupported = unsupportedInput(signature)
                    .or(() -> changesState(signature, stateChange));
            if (unsupported.isPresent()) {
                leftOut.add(signature.key() + " (" + unsupported.get() + ")");
                continue;
            }
            for (int rows : batched(signature) ? batchSizes : List.of(1)) {
                if (inputBytes(signature, rows) > MAX_INPUT_BYTES) {
                    leftOut.add(signature.key() + " at " + rows + " rows (inputs over " + (MAX_INPUT_BYTES >> 20)
                            + " MiB)");
                } else {
                    calls.add(new Call(signature, rows));
                }
            }
        }
        return new Plan(List.copyOf(calls), List.copyOf(leftOut));
    }

    /** Why running {@code signature} would change the model, or why that cannot be told (then it is not run). */
    private static Optional<String> changesState(final SignatureSpec signature,
                                                 final Function<SignatureSpec, Optional<String>> stateChange) {
        try {
            return stateChange.apply(signature).map(op -> "it changes the model's state: " + op);
        } catch (RuntimeException e) {
            return Optional.of("cannot tell whether it changes the model's state: " + e.getMessage());
        }
    }

    /** Why a signature's inputs cannot be made up, if they cannot. */
    static Optional<String> unsupportedInput(final SignatureSpec signature) {
        for (TensorSpec input : signature.inputs().values()) {
            final Optional<DType> dtype = input.dtype();
            if (dtype.isEmpty() || !dtype.get().isRunnable()) {
                return Optional.of("input '" + input.alias() + "' is " + input.dtypeName());
            }
            if (dtype.get() == DType.STRING) {
                return Optional.of("input '" + input.alias() + "' is a string");
            }
            if (input.tensorName().isEmpty() || input.shape().isEmpty() || input.shape().get().unknownRank()) {
                return Optional.of("input '" + input.alias() + "' has no known shape");
            }
            final List<Long> dims = input.shape().get().dims();
            for (int i = 1; i < dims.size(); i++) {
                if (dims.get(i) < 0) {
                    return Optional.of("input '" + input.alias() + "' has an unknown dimension " + i);
                }
            }
        }
        return signature.inputs().isEmpty() ? Optional.of("no inputs") : Optional.empty();
    }

    /** True when every input has an unknown first dimension: the signature takes batches of any size. */
    static boolean batched(final SignatureSpec signature) {
        return signature.inputs().values().stream().allMatch(input -> {
            final List<Long> dims = input.shape().orElseThrow().dims();
            return !dims.isEmpty() && dims.get(0) < 0;
        });
    }

    /** Inputs of zeros for {@code rows} rows (for the declared shape, when the signature is not batched). */
    static Map<String, HostTensor> zeros(final SignatureSpec signature, final int rows) {
        final Map<String, HostTensor> inputs = new LinkedHashMap<>();
        for (TensorSpec input : signature.inputs().values()) {
            final long[] shape = shape(input, rows);
            final DType dtype = input.dtype().orElseThrow();
            inputs.put(input.alias(), HostTensor.of(dtype, shape,
                    HostTensor.allocate(HostTensor.numElements(shape) * dtype.byteSize())));
        }
        return inputs;
    }

    private static long inputBytes(final SignatureSpec signature, final int rows) {
        long bytes = 0;
        for (TensorSpec input : signature.inputs().values()) {
            bytes += HostTensor.numElements(shape(input, rows)) * input.dtype().orElseThrow().byteSize();
        }
        return bytes;
    }

    private static long[] shape(final TensorSpec input, final int rows) {
        final List<Long> dims = input.shape().orElseThrow().dims();
        final long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = i == 0 && dims.get(0) < 0 ? rows : dims.get(i);
        }
        return shape;
    }
}
