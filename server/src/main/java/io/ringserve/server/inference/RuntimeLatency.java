package io.ringserve.server.inference;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Told how long each answered request waited for its model call, as the request saw it (its batching queue
 * included): TF Serving's runtime latency, by model and API.
 * Implementations are thread-safe and never block.
 */
@FunctionalInterface
public interface RuntimeLatency {
    /** Records nothing, and times nothing. */
    RuntimeLatency NONE = new RuntimeLatency() {
        @Override
        public void record(final String model, final TfServingApi api, final long nanos) {
        }

        @Override
        public <T> CompletableFuture<T> timed(final String model, final TfServingApi api,
                                              final Supplier<CompletableFuture<T>> call) {
            return call.get();
        }
    };

    void record(String model, TfServingApi api, long nanos);

    /**
     * Starts {@code call} and records the time from now to its normal completion.
     *
     * @return the call's own future (cancelling it cancels the call)
     */
    default <T> CompletableFuture<T> timed(final String model, final TfServingApi api,
                                           final Supplier<CompletableFuture<T>> call) {
        final long start = System.nanoTime();
        final CompletableFuture<T> result = call.get();
        result.thenRun(() -> record(model, api, System.nanoTime() - start));
        return result;
    }
}
