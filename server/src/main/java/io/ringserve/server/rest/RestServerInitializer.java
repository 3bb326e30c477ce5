package io.ringserve.server.rest;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the REST pipeline of each accepted connection: HTTP/1.1 codec, keep-alive, aggregation of the whole
 * request (bodies over {@code maxRequestBytes} are refused, compressed ones also when they decompress past it), then
 * the {@link RestRequestHandler}. A connection idle for {@code idleTimeout} (nothing
 * read or written, no request being answered) is closed ({@link IdleConnectionCloser}); zero keeps it open. Every
 * connection is tracked in the server's {@link RestConnections}, which drains them on shutdown (the same handler
 * closes each once it is idle).
 */
public final class RestServerInitializer extends ChannelInitializer<SocketChannel> {
    private final HttpRouter router;
    private final RestResponses responses;
    private final RequestObserver observer;
    private final int maxRequestBytes;
    private final Duration idleTimeout;
    private final Duration stallTimeout;
    private final RestConnections connections;
    private final EventExecutorGroup workers;

    /**
     * @param idleTimeout how long a keep-alive connection may sit idle; zero for ever
     * @param stallTimeout how long a request's body may stop arriving before it is answered 408 (the request
     *     timeout: a body that does not arrive within it would not be answered in time either)
     * @param workers where requests with large bodies are decoded and answered ({@link RestRequestHandler})
     */
    public RestServerInitializer(final HttpRouter router, final RestResponses responses,
                                 final RequestObserver observer, final int maxRequestBytes,
                                 final Duration idleTimeout, final Duration stallTimeout,
                                 final RestConnections connections, final EventExecutorGroup workers) {
        this.router = Objects.requireNonNull(router, "router");
        this.responses = Objects.requireNonNull(responses, "responses");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.maxRequestBytes = maxRequestBytes;
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stallTimeout must be positive, got " + stallTimeout);
        }
        this.connections = Objects.requireNonNull(connections, "connections");
        this.workers = Objects.requireNonNull(workers, "workers");
    }

    @Override
    protected void initChannel(final SocketChannel channel) {
        final ChannelPipeline p = channel.pipeline();
        p.addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
                true));
        // Netty closes a connection with more than 128 requests read and not yet answered; one socket read of small
        // pipelined requests can hold that many. RestRequestHandler bounds what a connection holds instead, by
        // reading no more while its queue is full, so that a client pipelining many requests gets every answer.
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig(), Integer.MAX_VALUE));
        // Reader-idle: a body that stopped arriving (IdleConnectionCloser answers 408); all-idle: the keep-alive.
        p.addLast("idle", new IdleStateHandler(stallTimeout.toMillis(), 0, idleTimeout.toMillis(),
                TimeUnit.MILLISECONDS));
        // Also acts on the server's drain.
        p.addLast("idleCloser", new IdleConnectionCloser());
        p.addLast("keepAlive", new HttpServerKeepAliveHandler());
        // A body with a Content-Encoding (gzip, what TF Serving's HTTP server takes, or deflate) is aggregated as it
        // came and decompressed where the request is handled, on a worker when large; the size limit holds for the
        // body as sent and again for what it decompresses to (RestRequestHandler).
        p.addLast("aggregator", new RequestAggregator(maxRequestBytes));
        p.addLast("rest", new RestRequestHandler(router, responses, observer, workers,
                RestRequestHandler.DEFAULT_OFFLOAD_BYTES, maxRequestBytes));
        connections.add(channel);
    }
}
