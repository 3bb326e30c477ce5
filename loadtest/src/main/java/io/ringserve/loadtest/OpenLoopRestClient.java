package io.ringserve.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop HTTP/1.1 load generator: requests are due at the times an {@link Arrivals} schedule gives, whatever
 * the server does. A due request goes out on an idle keep-alive connection, or waits for one; its latency counts
 * from when it was due ({@link IntendedTimeRecorder}), so a stalled server shows as the latency its users would see
 * (coordinated omission corrected). Everything runs on one event loop: no thread per request. Not reusable.
 */
public final class OpenLoopRestClient implements AutoCloseable {
    private static final AttributeKey<Long> DUE = AttributeKey.valueOf("ringserve.due");

    private final URI target;
    private final byte[] request;
    private final int connections;
    private final EventLoopGroup group = HttpClientTransport.oneEventLoop();
    private final IntendedTimeRecorder recorder = new IntendedTimeRecorder(System::nanoTime);
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Long> waiting = new ArrayDeque<>();
    private final OutcomeCounts outcomes = new OutcomeCounts();
    /** Every connection opened, reconnections included; on the event loop once running. */
    private final List<Channel> opened = new ArrayList<>();
    private Bootstrap bootstrap;
    /** Requests the schedule made due in the measured window, sent or waiting for a connection. */
    private long scheduled;
    /** When the measured window began ({@link System#nanoTime()}); only requests due from then on are measured. */
    private long windowStart = Long.MAX_VALUE;
    private volatile boolean running = true;

    /**
     * @param connections keep-alive connections to spread requests over (the most that can be in flight)
     */
    public OpenLoopRestClient(final URI target, final byte[] body, final int connections) {
        this.target = target;
        this.request = HttpClientTransport.encodePost(target, body);
        this.connections = connections;
    }

    /** Sends on the {@code arrivals} schedule; measures for {@code duration} after {@code warmup}. */
    public LoadResult run(final String label, final Arrivals arrivals, final Duration warmup,
                          final Duration duration, final int rowsPerRequest) throws InterruptedException {
        final EventLoop loop = group.next();
        bootstrap = new Bootstrap().group(loop)
                .channel(HttpClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        // Requests go out pre-encoded; only responses need parsing.
                        ch.pipeline().addLast(new HttpResponseDecoder(), new Answers());
                    }
                });
        final List<Channel> first = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            first.add(bootstrap.connect(target.getHost(), target.getPort()).sync().channel());
        }
        loop.submit(() -> {
            opened.addAll(first);
            idle.addAll(first);
        }).sync();
        final long start = System.nanoTime();
        loop.execute(() -> dispatch(loop, arrivals, start));
        Thread.sleep(warmup.toMillis());
        loop.submit(() -> {
            // Requests due before now (the warm-up's backlog) are answered in the window but not measured.
            windowStart = System.nanoTime();
            recorder.latencies();
            recorder.sendLag();
            outcomes.reset();
            scheduled = 0;
        }).sync();
        Thread.sleep(duration.toMillis());
        final LoadResult[] result = new LoadResult[1];
        final List<Channel> all = new ArrayList<>();
        loop.submit(() -> {
            final long now = System.nanoTime();
            final double seconds = (now - windowStart) / 1e9;
            // Requests due in the window and still unanswered (waiting for a connection, or in flight) have waited
            // at least until now: their latency counts as that, so that a backlog shows in the percentiles.
            waiting.forEach(this::measureUnanswered);
            for (Channel channel : opened) {
                final Long due = channel.attr(DUE).get();
                if (due != null) {
                    measureUnanswered(due);
                }
            }
            final OutcomeCounts.Snapshot counted = outcomes.snapshot();
            result[0] = new LoadResult(label, counted.ok(), counted.errors(), seconds, rowsPerRequest,
                    recorder.latencies(), counted.rejected(), counted.expired(), scheduled / seconds,
                    recorder.sendLag().getValueAtPercentile(99));
            running = false;
            all.addAll(opened);
        }).sync();
        for (Channel channel : all) {
            channel.close().sync();
        }
        return result[0];
    }

    /** Sends (or queues) every request due by now, then sleeps until the next is due. On the event loop. */
    private void dispatch(final EventLoop loop, final Arrivals arrivals, final long firstDue) {
        long due = firstDue;
        final long now = System.nanoTime();
        while (running && due <= now) {
            // The schedule's own lag (how late the generator made the request due), whether a connection is free or
            // not: a server too slow to free connections shows in latency, not as the client falling behind.
            recorder.sent(due);
            if (due >= windowStart) {
                scheduled++;
            }
            final Channel channel = idle.poll();
            if (channel != null) {
                send(channel, due);
            } else {
                waiting.add(due);
            }
            due += arrivals.nextGapNanos();
        }
        if (running) {
            final long next = due;
            loop.schedule(() -> dispatch(loop, arrivals, next), Math.max(0, next - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void send(final Channel channel, final long due) {
        channel.attr(DUE).set(due);
        channel.writeAndFlush(Unpooled.wrappedBuffer(request));
    }

    /** A request due in the window and not answered by its end: measured as having waited until now. */
    private void measureUnanswered(final long due) {
        if (due >= windowStart) {
            recorder.answered(due);
        }
    }

    @Override
    public void close() {
        running = false;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Records an answer and hands the connection to the next waiting request, or back to the idle pool. */
    private final class Answers extends ResponseEnds {
        @Override
        protected void answered(final ChannelHandlerContext ctx, final int httpStatus) {
            final Long due = ctx.channel().attr(DUE).getAndSet(null);
            if (due == null) {
                return; // an answer to no request of ours (a proxy's 408 on an idle connection): not counted
            }
            outcomes.count(AnswerKind.ofHttpStatus(httpStatus));
            if (httpStatus == 200 && due >= windowStart) {
                recorder.answered(due);
            }
            if (reusable()) {
                next(ctx.channel());
            }
        }

        @Override
        protected void failed(final ChannelHandlerContext ctx, final Throwable cause) {
            // Counted as it closes.
        }

        /**
         * A connection the server or a proxy ended: a request it carried counts as an error, and a new connection
         * takes its place, so that the load keeps its connections.
         */
        @Override
        protected void closed(final ChannelHandlerContext ctx) {
            if (!running) {
                return;
            }
            if (ctx.channel().attr(DUE).getAndSet(null) != null) {
                outcomes.count(AnswerKind.OTHER);
            }
            idle.remove(ctx.channel());
            opened.remove(ctx.channel());
            reconnect(ctx.channel().eventLoop());
        }
    }

    /** Opens a connection in place of one that closed, for the next waiting request or the idle pool. */
    private void reconnect(final EventLoop loop) {
        HttpClientTransport.reconnect(bootstrap, target, loop, () -> running, replacement -> {
            opened.add(replacement);
            next(replacement);
        }, () -> { });
    }

    /** Hands {@code channel} to the next waiting request, or back to the idle pool. */
    private void next(final Channel channel) {
        final Long waited = waiting.poll();
        if (waited != null && running) {
            send(channel, waited);
        } else {
            idle.add(channel);
        }
    }
}
