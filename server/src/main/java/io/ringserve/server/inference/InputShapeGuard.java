package io.ringserve.server.inference;

import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Refuses, before TensorFlow sees them, the inputs that would abort the whole process instead of failing the call:
 * TensorFlow ends the process on a failed internal check ({@code CHECK}), and some of its kernels check their
 * inputs that way. Two kinds are known and refused here with INVALID_ARGUMENT, naming the input:
 * <ul>
 *   <li>more than {@value #MAX_RANK} dimensions ({@code TensorShape::MaxDimensions()}): any tensor made from it
 *       aborts;</li>
 *   <li>for an input the signature declares with three or more dimensions (images, sequences): another rank.
 *       oneDNN's fused convolution and pooling kernels index the channel dimension of a tensor of the wrong rank
 *       and abort ({@code tensor_format.h} check), where the reference kernels would have refused it.</li>
 * </ul>
 * Sizes are left to the graph, as TF Serving leaves them (TensorFlow refuses wrong sizes with an error, and a model
 * exported at one image size may serve others), and so are the ranks of inputs declared with fewer dimensions: TF
 * Serving's own tests feed {@code [2]} and {@code [2,2]} to half_plus_two's {@code [-1,1]}.
 *
 * <p>A decorator over the runner that does the work; thread-safe as that runner is, and never blocks.
 */
public final class InputShapeGuard implements ModelRunner {
    /** TensorFlow's {@code TensorShape::MaxDimensions()}. */
    public static final int MAX_RANK = 254;
    /** Declared ranks from which the fed rank is enforced. */
    static final int ENFORCED_FROM_RANK = 3;

    private final ModelRunner delegate;

    public InputShapeGuard(final ModelRunner delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel model, final SignatureSpec signature,
                                                          final Map<String, HostTensor> inputs,
                                                          final List<String> outputs, final long deadlineNanos) {
        final ServingException refused = check(signature, inputs);
        return refused != null ? CompletableFuture.failedFuture(refused)
                : delegate.run(model, signature, inputs, outputs, deadlineNanos);
    }

    @Override
    public CompletableFuture<Map<String, HostTensor>> runAlone(final LoadedModel model, final SignatureSpec signature,
                                                                final Map<String, HostTensor> inputs,
                                                                final List<String> outputs, final long deadlineNanos) {
        final ServingException refused = check(signature, inputs);
        return refused != null ? CompletableFuture.failedFuture(refused)
                : delegate.runAlone(model, signature, inputs, outputs, deadlineNanos);
    }

    @Override
    public boolean shutdown(final Duration drain) throws InterruptedException {
        return delegate.shutdown(drain);
    }

    @Override
    public void retire(final LoadedModel model) {
        delegate.retire(model);
    }

    /** The refusal of the first input TensorFlow cannot be trusted with, or null when all may run. */
    static ServingException check(final SignatureSpec signature, final Map<String, HostTensor> inputs) {
        for (Map.Entry<String, HostTensor> input : inputs.entrySet()) {
            final long[] fed = input.getValue().shape();
            if (fed.length > MAX_RANK) {
                return ServingException.invalidArgument("Input '" + input.getKey() + "' has " + fed.length
                        + " dimensions; TensorFlow allows at most " + MAX_RANK);
            }
            final TensorSpec spec = signature.inputs().get(input.getKey());
            if (spec == null || spec.shape().isEmpty() || spec.shape().get().unknownRank()) {
                continue;
            }
            final List<Long> declared = spec.shape().get().dims();
            if (declared.size() >= ENFORCED_FROM_RANK && fed.length != declared.size()) {
                return ServingException.invalidArgument("Input '" + input.getKey() + "' has shape "
                        + Arrays.toString(fed) + ", of rank " + fed.length + ", but the signature declares "
                        + declared + ", of rank " + declared.size());
            }
        }
        return null;
    }
}
