package io.ringserve.server.inference;

import io.ringserve.models.LoadedModel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model version held by one request from the moment it was resolved (TF Serving's servable handle): while any
 * lease on it is open, a version taken out of service is not closed ({@link LoadedModel#users()}), however long the
 * request then takes to decode its body before it reaches the runner.
 *
 * <p>Opened by {@link ModelResolver#lease}, in a try-with-resources block on the thread handling the request. Once
 * the request's work is scheduled, {@link #until} hands the lease to that work, and the block's {@link #close} then
 * leaves it alone; a request that fails before (bad input) gives the version back when the block ends. Not
 * thread-safe until handed over; the release itself happens once, from whichever thread completes the work.
 */
public final class ModelLease implements AutoCloseable {
    private final LoadedModel model;
    private final AtomicBoolean released = new AtomicBoolean();
    private boolean handedOver;

    ModelLease(final LoadedModel model) {
        this.model = Objects.requireNonNull(model, "model");
        model.acquire();
    }

    /** The version this lease holds. */
    public LoadedModel model() {
        return model;
    }

    /**
     * Holds the version until {@code work} completes, whichever way it does, and returns {@code work}.
     *
     * @throws IllegalStateException when the lease was already handed over
     */
    public <T> CompletableFuture<T> until(final CompletableFuture<T> work) {
        if (handedOver) {
            throw new IllegalStateException("the lease on " + model + " was already handed over");
        }
        handedOver = true;
        work.whenComplete((value, failure) -> release());
        return work;
    }

    /** Gives the version back, unless {@link #until} handed the lease to work that has not completed. */
    @Override
    public void close() {
        if (!handedOver) {
            release();
        }
    }

    private void release() {
        if (released.compareAndSet(false, true)) {
            model.release();
        }
    }
}
