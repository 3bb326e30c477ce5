package io.ringserve.loadtest;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop gRPC load generator for TF Serving's Predict: {@code concurrency} calls always outstanding, spread
 * over a few HTTP/2 channels, each sending the next as soon as its answer arrives. Asynchronous: no thread per call.
 */
public final class ClosedLoopGrpcClient implements AutoCloseable {
    /** One HTTP/2 connection per event loop of a two-core server: measured best there (README, Performance). */
    public static final int DEFAULT_CHANNELS = 2;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final PredictRequest request;
    private final ClosedLoopTally tally = new ClosedLoopTally();
    private volatile boolean running = true;

    /** Calls {@code target}: {@code host:port}, or {@code unix:PATH} for a server's UNIX domain socket. */
    public ClosedLoopGrpcClient(final String target, final PredictRequest request) {
        this(target, request, DEFAULT_CHANNELS);
    }

    /** Spreads the calls over {@code channels} HTTP/2 connections to {@code target}. */
    public ClosedLoopGrpcClient(final String target, final PredictRequest request, final int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        this.request = request;
        for (int i = 0; i < channels; i++) {
            this.channels.add(LoadChannels.open(target));
        }
    }

    /** Keeps {@code concurrency} calls in flight; measures for {@code duration} after {@code warmup}. */
    public LoadResult run(final String label, final int concurrency, final Duration warmup, final Duration duration,
                          final int rowsPerRequest) throws InterruptedException {
        for (int i = 0; i < concurrency; i++) {
            send(PredictionServiceGrpc.newFutureStub(channels.get(i % channels.size())));
        }
        final LoadResult result = tally.measure(label, warmup, duration, rowsPerRequest);
        running = false;
        return result;
    }

    private void send(final PredictionServiceGrpc.PredictionServiceFutureStub stub) {
        final long sent = System.nanoTime();
        Futures.addCallback(stub.predict(request), new FutureCallback<PredictResponse>() {
            @Override
            public void onSuccess(final PredictResponse response) {
                tally.answered(AnswerKind.OK, (System.nanoTime() - sent) / 1000);
                next();
            }

            @Override
            public void onFailure(final Throwable t) {
                tally.answered(AnswerKind.ofGrpc(Status.fromThrowable(t).getCode()), 0);
                next();
            }

            private void next() {
                if (running) {
                    send(stub);
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
