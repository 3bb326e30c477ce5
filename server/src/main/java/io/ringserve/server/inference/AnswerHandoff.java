package io.ringserve.server.inference;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands answers computed on a batch thread to the event loops that own their calls: one task per event loop per
 * batch, instead of one per answer.
 *
 * <p>An answer is written on its connection's event loop. Handed over one by one, each answer wakes that event loop,
 * and on a busy core each wake-up preempts the batch thread: two context switches per answer, which cost more than
 * the gRPC stack's own work per call (docs/PERFORMANCE.md). A batch thread that runs its batch inside
 * {@link #gathering} instead keeps the hand-offs made through {@link #to} executors while the batch is answered, and
 * then gives each event loop all of its answers in one task: one wake-up per event loop per batch, and the answers
 * leave in one flush.
 *
 * <p>Thread-safe: what is gathered belongs to the gathering thread alone. Tasks run in the order they were handed
 * over; one that throws is logged and does not keep the others from running.
 */
public final class AnswerHandoff {
    private static final Logger LOG = LoggerFactory.getLogger(AnswerHandoff.class);
    private static final ThreadLocal<Gathered> GATHERED = new ThreadLocal<>();

    private AnswerHandoff() {
    }

    /**
     * An executor that runs tasks on {@code loop}: at once when called on {@code loop}; at the end of the enclosing
     * {@link #gathering} when called inside one; otherwise with {@code loop.execute}. Never blocks.
     */
    public static Executor to(final EventExecutor loop) {
        Objects.requireNonNull(loop, "loop");
        return task -> {
            if (loop.inEventLoop()) {
                task.run();
                return;
            }
            final Gathered gathered = GATHERED.get();
            if (gathered != null) {
                gathered.add(loop, task);
            } else {
                loop.execute(task);
            }
        };
    }

    /**
     * The executor of the executor of {@code groups} the calling thread is, from {@link #to}: an event loop, or a
     * decode worker handling a large message, so that the answer is built and sent there, not on the batch thread
     * that completes it; when the caller is none of them (an in-process transport, a test), an executor that runs
     * tasks on the thread that completes them.
     */
    public static Executor toCurrentLoopOf(final EventExecutorGroup... groups) {
        for (EventExecutorGroup group : groups) {
            for (EventExecutor loop : group) {
                if (loop.inEventLoop()) {
                    return to(loop);
                }
            }
        }
        return Runnable::run;
    }

    /**
     * Runs {@code batch} on the calling thread, keeping the tasks it hands to event loops through {@link #to}
     * executors; when it returns or throws, gives each event loop its tasks in one {@code execute}. A gathering
     * inside another one belongs to the outer one. An event loop that is shutting down drops its tasks (its
     * connections are closing); that is logged.
     */
    public static void gathering(final Runnable batch) {
        if (GATHERED.get() != null) {
            batch.run();
            return;
        }
        final Gathered gathered = new Gathered();
        GATHERED.set(gathered);
        try {
            batch.run();
        } finally {
            GATHERED.remove();
            gathered.handOver();
        }
    }

    /** The tasks of one gathering, by event loop, in the order they came. */
    private static final class Gathered {
        private final List<EventExecutor> loops = new ArrayList<>(2);
        private final List<List<Runnable>> tasks = new ArrayList<>(2);

        void add(final EventExecutor loop, final Runnable task) {
            // A batch's calls come from a few event loops (at most one per core): a scan beats a map.
            int index = loops.indexOf(loop);
            if (index < 0) {
                index = loops.size();
                loops.add(loop);
                tasks.add(new ArrayList<>());
            }
            tasks.get(index).add(task);
        }

        void handOver() {
            for (int i = 0; i < loops.size(); i++) {
                final List<Runnable> mine = tasks.get(i);
                try {
                    loops.get(i).execute(() -> mine.forEach(AnswerHandoff::runLogged));
                } catch (RejectedExecutionException e) {
                    LOG.warn("{} answers dropped: their event loop is shutting down", mine.size());
                }
            }
        }
    }

    private static void runLogged(final Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.warn("An answer's hand-off task failed", e);
        }
    }
}
