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
    private long sent;
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
        final Bootstrap bootstrap = new Bootstrap().group(loop)
                .channel(HttpClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        // Requests go out pre-encoded; only responses need parsing.
                        ch.pipeline().addLast(new HttpResponseDecoder(), new Answers());
                    }
                });
        final List<Channel> opened = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            opened.add(bootstrap.connect(target.getHost(), target.getPort()).sync().channel());
        }
        loop.execute(() -> idle.addAll(opened));
        final long start = System.nanoTime();
        loop.execute(() -> dispatch(loop, arrivals, start));
        Thread.sleep(warmup.toMillis());
        final long measureStart = System.nanoTime();
        loop.submit(() -> {
            recorder.latencies();
            recorder.sendLag();
            outcomes.reset();
            sent = 0;
        }).sync();
        Thread.sleep(duration.toMillis());
        final LoadResult[] result = new LoadResult[1];
        loop.submit(() -> {
            final double seconds = (System.nanoTime() - measureStart) / 1e9;
            final OutcomeCounts.Snapshot counted = outcomes.snapshot();
            result[0] = new LoadResult(label, counted.ok(), counted.errors(), seconds, rowsPerRequest,
                    recorder.latencies(), counted.rejected(), counted.expired(), sent / seconds,
                    recorder.sendLag().getValueAtPercentile(99));
            running = false;
        }).sync();
        for (Channel channel : opened) {
            channel.close().sync();
        }
        return result[0];
    }

    /** Sends (or queues) every request due by now, then sleeps until the next is due. On the event loop. */
    private void dispatch(final EventLoop loop, final Arrivals arrivals, final long firstDue) {
        long due = firstDue;
        final long now = System.nanoTime();
        while (running && due <= now) {
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
        recorder.sent(due);
        sent++;
        channel.writeAndFlush(Unpooled.wrappedBuffer(request));
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
            outcomes.count(AnswerKind.ofHttpStatus(httpStatus));
            if (httpStatus == 200) {
                recorder.answered(ctx.channel().attr(DUE).get());
            }
            final Long next = waiting.poll();
            if (next != null && running) {
                send(ctx.channel(), next);
            } else {
                idle.add(ctx.channel());
            }
        }

        @Override
        protected void failed(final ChannelHandlerContext ctx, final Throwable cause) {
            outcomes.count(AnswerKind.OTHER);
        }
    }
}
