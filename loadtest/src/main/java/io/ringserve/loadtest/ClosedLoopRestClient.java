package io.ringserve.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

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
    private final Recorder latencies = new Recorder(3);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
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
        final List<Channel> channels = new ArrayList<>();
        final Bootstrap bootstrap = new Bootstrap().group(group)
                .channel(HttpClientTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        // Requests go out pre-encoded; only responses need parsing.
                        ch.pipeline().addLast(new HttpResponseDecoder(), new ResponseHandler());
                    }
                });
        for (int i = 0; i < concurrency; i++) {
            channels.add(bootstrap.connect(target.getHost(), target.getPort()).sync().channel());
        }
        channels.forEach(this::send);
        Thread.sleep(warmup.toMillis());
        latencies.reset();
        ok.set(0);
        errors.set(0);
        rejected.set(0);
        expired.set(0);
        final long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        final long requests = ok.get();
        final long failed = errors.get();
        final double seconds = (System.nanoTime() - start) / 1e9;
        final var histogram = latencies.getIntervalHistogram();
        running = false;
        for (Channel channel : channels) {
            channel.close().sync();
        }
        return new LoadResult(label, requests, failed, seconds, rowsPerRequest, histogram, rejected.get(),
                expired.get(), (requests + failed) / seconds, 0);
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

    /**
     * Records one answer when its last content arrives and sends the next request on the same connection. The body
     * is not aggregated: the client only needs the status and the end of the response.
     */
    private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private boolean success;

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final HttpObject message) {
            if (message instanceof HttpResponse response) {
                final int status = response.status().code();
                success = status == 200;
                if (status == 503) {
                    rejected.incrementAndGet();
                } else if (status == 504) {
                    expired.incrementAndGet();
                }
            }
            if (!(message instanceof LastHttpContent)) {
                return;
            }
            final long micros = (System.nanoTime() - ctx.channel().attr(SENT).get()) / 1000;
            if (success) {
                ok.incrementAndGet();
                latencies.recordValue(micros);
            } else {
                errors.incrementAndGet();
            }
            if (running) {
                send(ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            errors.incrementAndGet();
            ctx.close();
        }
    }
}
