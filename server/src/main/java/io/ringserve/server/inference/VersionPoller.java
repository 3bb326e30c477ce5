package io.ringserve.server.inference;

import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks up new model versions while the server runs, as TF Serving's file-system polling
 * ({@code --file_system_poll_wait_seconds}) does: each poll loads (and warms up) the versions the models' policies
 * now select while the old ones keep serving, then retires the versions no longer selected. A retired version stops
 * taking new requests at once; it is closed only after {@code grace} (for requests that found it just before) and once
 * no request holds it ({@link LoadedModel#users()}), within {@code drainTimeout}: a reload loses no request.
 *
 * <p>Polls and config changes run one at a time on one daemon thread; {@link #pollNow} runs one on the caller's
 * thread. Retired versions drain and close on a second daemon thread, so a long drain does not hold up the next poll
 * (TF Serving's unload threads); the next retirement waits for it. Thread-safe.
 */
public final class VersionPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VersionPoller.class);

    /** How the poller waits: tests pass one that does not. */
    @FunctionalInterface
    public interface Sleeper {
        /** {@link Thread#sleep}. */
        Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis());

        void sleep(Duration duration) throws InterruptedException;
    }
    private static final Duration USERS_CHECK = Duration.ofMillis(10);

    private final ModelRegistry registry;
    private final ModelRunner runner;
    private final Duration grace;
    private final Duration drainTimeout;
    private final Runnable afterPoll;
    private final Sleeper sleeper;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            task -> daemon(task, "ringserve-version-poller"));
    private final ExecutorService retirer = Executors.newSingleThreadExecutor(
            task -> daemon(task, "ringserve-version-retirer"));

    /**
     * @param runner told to free what it keeps for a retired version ({@link ModelRunner#retire})
     * @param grace how long a retired version stays open before its users are counted
     * @param drainTimeout how long to wait for a retired version's requests before closing it anyway
     * @param afterPoll run after each poll (the server refreshes its health state)
     * @param sleeper how the poller waits; {@link Sleeper#SYSTEM} in production
     */
    public VersionPoller(final ModelRegistry registry, final ModelRunner runner, final Duration grace,
                         final Duration drainTimeout, final Runnable afterPoll, final Sleeper sleeper) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.grace = Objects.requireNonNull(grace, "grace");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.afterPoll = Objects.requireNonNull(afterPoll, "afterPoll");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Polls every {@code interval} from now on, the first time after one interval. */
    public VersionPoller start(final Duration interval) {
        return every(interval, registry::refresh, "Polling the model base paths");
    }

    private static Thread daemon(final Runnable task, final String name) {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * One poll on the calling thread: load what is new, retire what is no longer wanted. Blocks until the versions
     * it retires are closed.
     */
    public void pollNow() throws InterruptedException {
        retireAll(registry::refresh);
    }

    /**
     * Also runs {@code reconfigure} (a reload of the model config file, which returns the versions it took out of
     * service) every {@code interval}, on the polling thread, and retires what it returns.
     */
    public VersionPoller reconfigureEvery(final Duration interval,
                                          final Supplier<List<ModelRegistry.Retired>> reconfigure) {
        return every(interval, reconfigure, "Reloading the model configuration");
    }

    /** Runs {@code change} every {@code interval}, not waiting for what it retires; a failure waits for the next. */
    private VersionPoller every(final Duration interval, final Supplier<List<ModelRegistry.Retired>> change,
                                final String what) {
        thread.scheduleWithFixedDelay(() -> {
            try {
                apply(change);
            } catch (RuntimeException e) {
                LOG.error("{} failed; the next attempt tries again", what, e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Runs {@code change} on the polling thread; the future completes once the versions it takes out of service are
     * closed, or with the change's failure. Never blocks.
     */
    public CompletableFuture<Void> submit(final Supplier<List<ModelRegistry.Retired>> change) {
        return CompletableFuture.supplyAsync(() -> apply(change), thread).thenCompose(retired -> retired);
    }

    /**
     * Runs {@code change} on the calling thread and blocks until the versions it takes out of service are closed.
     *
     * @throws RuntimeException the change's failure, or a failure closing what it retired
     */
    public void retireAll(final Supplier<List<ModelRegistry.Retired>> change) throws InterruptedException {
        try {
            apply(change).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure
                    : new IllegalStateException("retiring model versions failed", e.getCause());
        }
    }

    /**
     * Runs {@code change} (one change at a time) and hands the versions it takes out of service to the retiring
     * thread. The versions one change retires (several models dropped by a config reload, say) drain together: one
     * grace period, then until none is held or the drain timeout passes, so they take as long as the slowest.
     *
     * @return completes once they are closed
     */
    private synchronized CompletableFuture<Void> apply(final Supplier<List<ModelRegistry.Retired>> change) {
        final List<ModelRegistry.Retired> retired = change.get();
        afterPoll.run();
        if (retired.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
            try {
                drain(retired);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("Shutting down: closing {} retired versions without waiting for their requests",
                        retired.size());
            }
            retired.forEach(this::close);
        }, retirer);
    }

    private void drain(final List<ModelRegistry.Retired> retired) throws InterruptedException {
        sleeper.sleep(grace);
        long waited = 0;
        while (retired.stream().anyMatch(r -> r.version().users() > 0) && waited < drainTimeout.toMillis()) {
            sleeper.sleep(USERS_CHECK);
            waited += USERS_CHECK.toMillis();
        }
    }

    private void close(final ModelRegistry.Retired retired) {
        final LoadedModel version = retired.version();
        if (version.users() > 0) {
            LOG.warn("Model {} version {}: {} requests still hold it after {}; closing it anyway", version.name(),
                    version.version(), version.users(), drainTimeout);
        }
        runner.retire(version);
        version.close();
        retired.model().markUnloaded(version.version());
        LOG.info("Unloaded model {} version {} (from {})", version.name(), version.version(), version.directory());
    }

    /**
     * Starts no more polls or config reloads and returns at once; one under way goes on, and {@link #close} waits for
     * it. A change submitted from now on is refused ({@link java.util.concurrent.RejectedExecutionException}).
     */
    public void stopPolling() {
        thread.shutdown();
    }

    /**
     * Stops polling; a poll under way finishes first, then the versions retired so far drain (up to the drain
     * timeout) and close.
     */
    @Override
    public void close() throws InterruptedException {
        close(grace.plus(drainTimeout).plusSeconds(1));
    }

    /**
     * Stops polling and waits up to {@code wait} for a poll under way, then up to {@code wait} for the versions
     * retired so far to drain and close; what is still running then is interrupted.
     */
    public void close(final Duration wait) throws InterruptedException {
        thread.shutdown();
        if (!thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            thread.shutdownNow();
        }
        retirer.shutdown();
        if (!retirer.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            retirer.shutdownNow();
        }
    }
}
