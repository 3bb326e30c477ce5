package io.ringserve.loadtest;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop gRPC generator (TF Serving's Predict or KServe V2's ModelInfer, {@link GrpcInferenceCall}): calls
 * are due on an {@link Arrivals} schedule; a due call goes out at once unless {@code maxInFlight} calls are already
 * outstanding, and then waits; latency counts from the due time (coordinated omission corrected). One scheduling
 * thread; answers arrive on the transport's threads. Not reusable.
 */
public final class OpenLoopGrpcClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final GrpcInferenceCall<?, ?> call;
    private final int maxInFlight;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread thread = new Thread(r, "loadtest-grpc-schedule");
        thread.setDaemon(true);
        return thread;
    });
    private final IntendedTimeRecorder recorder = new IntendedTimeRecorder(System::nanoTime);
    private final ArrayDeque<Long> waiting = new ArrayDeque<>();
    private final Object lock = new Object();
    private final OutcomeCounts outcomes = new OutcomeCounts();
    /** The due times of the calls out now (two calls may share one). */
    private final List<Long> inFlight = new ArrayList<>();
    /** Calls the schedule made due in the measured window, sent or waiting. */
    private long scheduled;
    /** When the measured window began; only calls due from then on are measured. */
    private long windowStart = Long.MAX_VALUE;
    private volatile boolean running = true;

    /** Calls {@code target} ({@code host:port} or {@code unix:PATH}), at most {@code maxInFlight} at once. */
    public OpenLoopGrpcClient(final String target, final GrpcInferenceCall<?, ?> call, final int maxInFlight) {
        this.channel = LoadChannels.open(target);
        this.call = call;
        this.maxInFlight = maxInFlight;
    }

    /** Sends on the {@code arrivals} schedule; measures for {@code duration} after {@code warmup}. */
    public LoadResult run(final String label, final Arrivals arrivals, final Duration warmup,
                          final Duration duration, final int rowsPerRequest) throws InterruptedException {
        final long start = System.nanoTime();
        scheduler.execute(() -> dispatch(arrivals, start));
        Thread.sleep(warmup.toMillis());
        synchronized (lock) {
            // Calls due before now (the warm-up's backlog) are answered in the window but not measured.
            windowStart = System.nanoTime();
            recorder.latencies();
            recorder.sendLag();
            outcomes.reset();
            scheduled = 0;
        }
        Thread.sleep(duration.toMillis());
        synchronized (lock) {
            running = false;
            final double seconds = (System.nanoTime() - windowStart) / 1e9;
            // Calls due in the window and unanswered at its end have waited at least until now.
            waiting.forEach(this::measureUnanswered);
            inFlight.forEach(this::measureUnanswered);
            final OutcomeCounts.Snapshot counted = outcomes.snapshot();
            return new LoadResult(label, counted.ok(), counted.errors(), seconds, rowsPerRequest,
                    recorder.latencies(), counted.rejected(), counted.expired(), scheduled / seconds,
                    recorder.sendLag().getValueAtPercentile(99));
        }
    }

    private void dispatch(final Arrivals arrivals, final long firstDue) {
        long due = firstDue;
        final long now = System.nanoTime();
        while (running && due <= now) {
            synchronized (lock) {
                // The schedule's own lag, whether a call can go out now or waits: a slow server shows in latency.
                recorder.sent(due);
                if (due >= windowStart) {
                    scheduled++;
                }
                if (inFlight.size() < maxInFlight) {
                    send(due);
                } else {
                    waiting.add(due);
                }
            }
            due += arrivals.nextGapNanos();
        }
        if (running) {
            final long next = due;
            scheduler.schedule(() -> dispatch(arrivals, next), Math.max(0, next - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Called with {@code lock} held. */
    private void send(final long due) {
        inFlight.add(due);
        Futures.addCallback(call.send(channel), new FutureCallback<Object>() {
            @Override
            public void onSuccess(final Object response) {
                finished(due, Status.OK);
            }

            @Override
            public void onFailure(final Throwable t) {
                finished(due, Status.fromThrowable(t));
            }
        }, MoreExecutors.directExecutor());
    }

    private void finished(final long due, final Status status) {
        synchronized (lock) {
            inFlight.remove(Long.valueOf(due));
            final AnswerKind kind = AnswerKind.ofGrpc(status);
            outcomes.count(kind);
            if (kind == AnswerKind.OK && due >= windowStart) {
                recorder.answered(due);
            }
            final Long next = waiting.poll();
            if (next != null && running) {
                send(next);
            }
        }
    }

    /** Called with {@code lock} held: a call due in the window and not answered by its end, as waiting till now. */
    private void measureUnanswered(final long due) {
        if (due >= windowStart) {
            recorder.answered(due);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        scheduler.shutdownNow();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
