package io.ringserve.server.inference;

import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs model signatures for the front ends, off their event loops. Thread-safe; {@link #run} never blocks.
 */
public interface ModelRunner {
    /**
     * Schedules one run of {@code signature} on {@code inputs} (one tensor per signature input).
     *
     * @param outputs the output aliases wanted, in order
     * @param deadlineNanos when the result stops being wanted, on {@link System#nanoTime()}'s clock
     * @return the outputs by alias, or a {@link ServingException}: UNAVAILABLE when the queue is full,
     *     DEADLINE_EXCEEDED when the deadline passed before the model ran, INVALID_ARGUMENT when TensorFlow rejected
     *     the inputs. Completing the future early (a timeout, a cancelled call) keeps queued work from running.
     */
    CompletableFuture<Map<String, HostTensor>> run(LoadedModel model, SignatureSpec signature,
                                                   Map<String, HostTensor> inputs, List<String> outputs,
                                                   long deadlineNanos);

    /**
     * As {@link #run}, but a call of its own, never batched with others: for a signature made for one request
     * (MultiInference's, which fetches several signatures' outputs at once). By default {@link #run}.
     */
    default CompletableFuture<Map<String, HostTensor>> runAlone(final LoadedModel model, final SignatureSpec signature,
                                                                final Map<String, HostTensor> inputs,
                                                                final List<String> outputs, final long deadlineNanos) {
        return run(model, signature, inputs, outputs, deadlineNanos);
    }

    /**
     * Stops taking work and lets queued and running work finish, up to {@code drain}.
     *
     * @return true if everything finished in time
     */
    boolean shutdown(Duration drain) throws InterruptedException;

    /**
     * Frees what the runner keeps for {@code model}, a version taken out of service that no request holds any more
     * ({@link LoadedModel#users()} is 0). Blocks briefly; none by default.
     */
    default void retire(LoadedModel model) {
    }
}
