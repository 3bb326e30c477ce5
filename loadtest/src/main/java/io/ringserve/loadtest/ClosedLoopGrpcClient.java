package io.ringserve.loadtest;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop gRPC load generator (TF Serving's Predict or KServe V2's ModelInfer, {@link GrpcInferenceCall}):
 * {@code concurrency} calls always outstanding, spread
 * over a few HTTP/2 channels, each sending the next as soon as its answer arrives. Asynchronous: no thread per call.
 */
public final class ClosedLoopGrpcClient implements AutoCloseable {
    /** One HTTP/2 connection per event loop of a two-core server: measured best there (docs/PERFORMANCE.md). */
    public static final int DEFAULT_CHANNELS = 2;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final GrpcInferenceCall<?, ?> call;
    private final ClosedLoopTally tally = new ClosedLoopTally();
    private volatile boolean running = true;

    /** Calls {@code target}: {@code host:port}, or {@code unix:PATH} for a server's UNIX domain socket. */
    public ClosedLoopGrpcClient(final String target, final GrpcInferenceCall<?, ?> call) {
        this(target, call, DEFAULT_CHANNELS);
    }

    /** Spreads the calls over {@code channels} HTTP/2 connections to {@code target}. */
    public ClosedLoopGrpcClient(final String target, final GrpcInferenceCall<?, ?> call, final int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        this.call = call;
        for (int i = 0; i < channels; i++) {
            this.channels.add(LoadChannels.open(target));
        }
    }

    /** Keeps {@code concurrency} calls in flight; measures for {@code duration} after {@code warmup}. */
    public LoadResult run(final String label, final int concurrency, final Duration warmup, final Duration duration,
                          final int rowsPerRequest) throws InterruptedException {
        for (int i = 0; i < concurrency; i++) {
            send(channels.get(i % channels.size()));
        }
        final LoadResult result = tally.measure(label, warmup, duration, rowsPerRequest);
        running = false;
        return result;
    }

    private void send(final Channel channel) {
        final long sent = System.nanoTime();
        Futures.addCallback(call.send(channel), new FutureCallback<Object>() {
            @Override
            public void onSuccess(final Object response) {
                tally.answered(AnswerKind.OK, (System.nanoTime() - sent) / 1000);
                next();
            }

            @Override
            public void onFailure(final Throwable t) {
                tally.answered(AnswerKind.ofGrpc(Status.fromThrowable(t)), 0);
                next();
            }

            private void next() {
                if (running) {
                    send(channel);
                }
            }
        }, MoreExecutors.directExecutor());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
