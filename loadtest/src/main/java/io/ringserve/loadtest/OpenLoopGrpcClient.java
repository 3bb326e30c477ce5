package io.ringserve.loadtest;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
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
    private int inFlight;
    private long sent;
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
            recorder.latencies();
            recorder.sendLag();
            outcomes.reset();
            sent = 0;
        }
        final long measureStart = System.nanoTime();
        Thread.sleep(duration.toMillis());
        synchronized (lock) {
            running = false;
            final double seconds = (System.nanoTime() - measureStart) / 1e9;
            final OutcomeCounts.Snapshot counted = outcomes.snapshot();
            return new LoadResult(label, counted.ok(), counted.errors(), seconds, rowsPerRequest,
                    recorder.latencies(), counted.rejected(), counted.expired(), sent / seconds,
                    recorder.sendLag().getValueAtPercentile(99));
        }
    }

    private void dispatch(final Arrivals arrivals, final long firstDue) {
        long due = firstDue;
        final long now = System.nanoTime();
        while (running && due <= now) {
            synchronized (lock) {
                if (inFlight < maxInFlight) {
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
        inFlight++;
        sent++;
        recorder.sent(due);
        Futures.addCallback(call.send(channel), new FutureCallback<Object>() {
            @Override
            public void onSuccess(final Object response) {
                finished(due, Status.Code.OK);
            }

            @Override
            public void onFailure(final Throwable t) {
                finished(due, Status.fromThrowable(t).getCode());
            }
        }, MoreExecutors.directExecutor());
    }

    private void finished(final long due, final Status.Code code) {
        synchronized (lock) {
            inFlight--;
            final AnswerKind kind = AnswerKind.ofGrpc(code);
            outcomes.count(kind);
            if (kind == AnswerKind.OK) {
                recorder.answered(due);
            }
            final Long next = waiting.poll();
            if (next != null && running) {
                send(next);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        scheduler.shutdownNow();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
