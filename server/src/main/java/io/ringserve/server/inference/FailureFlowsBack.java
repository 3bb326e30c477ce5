package io.ringserve.server.inference;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Futures derived from model work ({@code thenApply}, {@code allOf}) that pass a failure from outside back to that
 * work: a front end completes the future it holds when the client cancels or the request times out, and the
 * queued work must see it to be dropped ({@link ModelRunner#run}). A derived future alone does not tell its source.
 */
public final class FailureFlowsBack {
    private FailureFlowsBack() {
    }

    /**
     * {@code derived}, now failing {@code source} whenever it fails; a failure that came from {@code source} finds
     * it already completed, and changes nothing.
     */
    public static <T> CompletableFuture<T> to(final CompletableFuture<?> source, final CompletableFuture<T> derived) {
        return to(List.of(source), derived);
    }

    /** {@code derived}, now failing every one of {@code sources} whenever it fails. */
    public static <T> CompletableFuture<T> to(final List<? extends CompletableFuture<?>> sources,
                                              final CompletableFuture<T> derived) {
        derived.whenComplete((value, failure) -> {
            if (failure != null) {
                sources.forEach(source -> source.completeExceptionally(failure));
            }
        });
        return derived;
    }
}
