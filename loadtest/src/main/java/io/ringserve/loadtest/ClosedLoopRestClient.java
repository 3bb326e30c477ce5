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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP/1.1 load generator: {@code concurrency} keep-alive connections, each with exactly one request
 * outstanding, sending the next as soon as the previous answer arrives. Latency is measured from send to full
 * response. Asynchronous (one Netty event loop drives every connection); not reusable after {@link #close}.
 */
public final class ClosedLoopRestClient implements AutoCloseable {
    private static final AttributeKey<Long> SENT = AttributeKey.valueOf("ringserve.sent");

    private final URI target;
    private final byte[] request;
    private final EventLoopGroup group = HttpClientTransport.oneEventLoop();
    private final ClosedLoopTally tally = new ClosedLoopTally();
    /** Every connection opened, reconnections included; on the event loop once running. */
    private final List<Channel> channels = new ArrayList<>();
    private Bootstrap bootstrap;
    private volatile boolean running = true;

    /**
     * @param target the URL to POST to, e.g. {@code http://127.0.0.1:8501/v1/models/mlp:predict}
     * @param body the request body sent every time
     */
    public ClosedLoopRestClient(final URI target, final byte[] body) {
        this.target = target;
        this.request = HttpClientTransport.encodePost(target, body);
    }

    /**
     * Opens {@code concurrency} connections, runs {@code warmup} unmeasured, then measures for {@code duration}.
     * Blocks for warmup plus duration.
     */
    public LoadResult run(final String label, final int concurrency, final Duration warmup, final Duration duration,
                          final int rowsPerRequest) throws InterruptedException {
        bootstrap = new Bootstrap().group(group)
                .channel(HttpClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        // Requests go out pre-encoded; only responses need parsing.
                        ch.pipeline().addLast(new HttpResponseDecoder(), new ResponseHandler());
                    }
                });
        final List<Channel> opened = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            opened.add(bootstrap.connect(target.getHost(), target.getPort()).sync().channel());
        }
        group.next().submit(() -> {
            channels.addAll(opened);
            opened.forEach(this::send);
        }).sync();
        final LoadResult result = tally.measure(label, warmup, duration, rowsPerRequest);
        running = false;
        final List<Channel> all = new ArrayList<>();
        group.next().submit(() -> all.addAll(channels)).sync();
        for (Channel channel : all) {
            channel.close().sync();
        }
        return result;
    }

    private void send(final Channel channel) {
        channel.attr(SENT).set(System.nanoTime());
        channel.writeAndFlush(Unpooled.wrappedBuffer(request));
    }

    @Override
    public void close() {
        running = false;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Records each answer and sends the next request on the same connection. */
    private final class ResponseHandler extends ResponseEnds {
        @Override
        protected void answered(final ChannelHandlerContext ctx, final int httpStatus) {
            final Long sent = ctx.channel().attr(SENT).getAndSet(null);
            if (sent == null) {
                return; // an answer to no request of ours (a proxy's 408 on an idle connection): not counted
            }
            tally.answered(AnswerKind.ofHttpStatus(httpStatus), (System.nanoTime() - sent) / 1000);
            if (running && reusable()) {
                send(ctx.channel());
            }
        }

        @Override
        protected void failed(final ChannelHandlerContext ctx, final Throwable cause) {
            // Counted as it closes.
        }

        /**
         * A connection the server or a proxy ended: a request it carried counts as an error, and a new connection
         * takes its place, so that the load keeps its concurrency.
         */
        @Override
        protected void closed(final ChannelHandlerContext ctx) {
            if (!running) {
                return;
            }
            if (ctx.channel().attr(SENT).getAndSet(null) != null) {
                tally.answered(AnswerKind.OTHER, 0); // its request got no answer
            }
            channels.remove(ctx.channel());
            reconnect(ctx.channel().eventLoop());
        }
    }

    /** Opens a connection in place of one that closed and sends on it; a refused attempt counts as an error. */
    private void reconnect(final EventLoop loop) {
        HttpClientTransport.reconnect(bootstrap, target, loop, () -> running, replacement -> {
            channels.add(replacement);
            send(replacement);
        }, () -> tally.answered(AnswerKind.OTHER, 0));
    }
}
