package io.ringserve.server.rest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.ringserve.server.inference.AnswerHandoff;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of the REST pipeline: hands each aggregated request to the {@link HttpRouter} and writes the
 * response when its future completes, telling the {@link RequestObserver} when it has been written.
 *
 * <pre>
 *   HttpServerCodec → IdleConnectionCloser → HttpServerKeepAliveHandler → HttpObjectAggregator
 *     → RestRequestHandler
 * </pre>
 *
 * <p>Responses leave in request order: while one request of a connection is being answered, later pipelined
 * requests wait in a per-connection queue. The connection stops reading while that queue holds
 * {@value #MAX_QUEUED_REQUESTS} requests or {@value #MAX_QUEUED_BYTES} bytes of bodies, and while its client does
 * not read what it is sent (the channel is not writable), so that one client cannot make the server hold more than
 * that for it: what it sends next waits in its own socket buffers (TCP flow control). One instance per channel (not
 * {@code @Sharable}); all state is touched on the channel's event loop only.
 *
 * <p>A request whose body has {@code offloadBytes} bytes or more (a compressed body: a {@value
 * CompressedBodies#EXPANSION}th of that) is decompressed and decoded, and its answer built, on one of the
 * {@code workers} instead of the event loop (decoding 10 MB of JSON takes tens of milliseconds, which would hold up
 * every other connection of the loop); smaller ones are handled on the event loop, where they cost less than the
 * hand-off would. Either way the answer is written on the event loop. A body that cannot be decompressed is answered
 * 400 naming why, one that decompresses past {@code maxRequestBytes} 413, one in a coding the server does not decode
 * 415; the connection goes on.
 *
 * <p>A request the codec could not read is answered 414 when its request line is too long, 431 when its header
 * fields are, 413 when its body is ({@link RequestAggregator}), else 400, and its connection closed. A request target
 * in absolute form ({@code GET http://host/path}) is routed by its path and query.
 */
public final class RestRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RestRequestHandler.class);
    /** What nginx and TF Serving call a request whose client went away before the answer. */
    private static final int CLIENT_CLOSED_REQUEST = 499;
    /** Pipelined requests a connection holds, waiting for the one being answered, before it stops reading. */
    static final int MAX_QUEUED_REQUESTS = 16;
    /** Body bytes of those requests a connection holds before it stops reading (a body past it is held alone). */
    static final long MAX_QUEUED_BYTES = 8L << 20;
    /**
     * Bodies from this size on are handled on a worker: decoding 256 KiB of JSON takes about a millisecond on the
     * event loop, ten times what handing it over costs.
     */
    public static final int DEFAULT_OFFLOAD_BYTES = 256 << 10;

    private final HttpRouter router;
    private final RestResponses responses;
    private final RequestObserver observer;
    private final EventExecutorGroup workers;
    private final int offloadBytes;
    private final int maxRequestBytes;
    private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>();
    private long queuedBytes;
    private boolean answering;

    /**
     * @param workers where requests with large bodies are handled
     * @param offloadBytes the body size from which a request is handled on {@code workers}
     * @param maxRequestBytes the most bytes a compressed body may decompress to
     */
    public RestRequestHandler(final HttpRouter router, final RestResponses responses,
                              final RequestObserver observer, final EventExecutorGroup workers,
                              final int offloadBytes, final int maxRequestBytes) {
        this.router = Objects.requireNonNull(router, "router");
        this.responses = Objects.requireNonNull(responses, "responses");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.offloadBytes = offloadBytes;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) {
        if (answering) {
            pipelined.add(request.retain());
            queuedBytes += request.content().readableBytes();
            updateReading(ctx);
            return;
        }
        dispatch(ctx, request);
    }

    private void dispatch(final ChannelHandlerContext ctx, final FullHttpRequest request) {
        answering = true;
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            write(ctx, undecodable(ctx.alloc(), request.decoderResult().cause()), false,
                    RequestObserver.Observation.UNOBSERVED);
            return;
        }
        if (!request.uri().startsWith("/")) { // origin form, what every client but a proxy's sends, as it is
            request.setUri(originForm(request.uri()));
        }
        final RestRequest call = new RestRequest(request);
        final RequestObserver.Observation observation = observer.start(call);
        // Written on this channel's event loop; answers of one batch come to it together (AnswerHandoff).
        route(ctx, request, call).whenCompleteAsync((response, failure) -> write(ctx, response, keepAlive, observation),
                AnswerHandoff.to(ctx.executor()));
    }

    /**
     * The answer to a request the codec could not read, {@code cause} saying why: 413 for a body over
     * {@code --max_request_bytes}, 414 for a request line (URI) and 431 for header fields over Netty's limits, 400
     * for anything else malformed. The connection is closed after it: where the request ends is not known.
     */
    private FullHttpResponse undecodable(final ByteBufAllocator alloc, final Throwable cause) {
        if (cause instanceof RequestAggregator.BodyTooLargeException) {
            return responses.error(alloc, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, cause.getMessage());
        }
        if (cause instanceof TooLongHttpLineException) {
            return responses.error(alloc, HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "The request line (method, URI and version) is too long: " + cause.getMessage());
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return responses.error(alloc, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "The request's header fields are too large: " + cause.getMessage());
        }
        return responses.error(alloc, ServingException.invalidArgument("Malformed HTTP request: "
                + cause.getMessage()));
    }

    /**
     * {@code uri} in origin form (its path and query), as the routes take it. A request target in absolute form
     * ({@code http://host/v2/health/ready}, what a client sends to a proxy) is one a server must accept (RFC 9112,
     * section 3.2.2): the scheme and authority are dropped. Any other target is returned as it is.
     */
    static String originForm(final String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        final int scheme = uri.indexOf("://");
        if (scheme <= 0 || !isScheme(uri.substring(0, scheme))) {
            return uri;
        }
        final int authority = scheme + 3;
        int end = authority;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        final String rest = uri.substring(end);
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    /** True for a URI scheme name (RFC 3986, section 3.1): a letter, then letters, digits, {@code +-.}. */
    private static boolean isScheme(final String name) {
        if (!Character.isLetter(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (!(c < 128 && Character.isLetterOrDigit(c)) && "+-.".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Routes {@code call} on the event loop, or on a worker when its body is large (see the class). */
    private CompletableFuture<FullHttpResponse> route(final ChannelHandlerContext ctx, final FullHttpRequest request,
                                                      final RestRequest call) {
        if (!isLarge(request)) {
            return routeHere(call, ctx.executor(), ctx.alloc());
        }
        final EventExecutor worker = workers.next();
        request.retain(); // The router reads the body on the worker, after this handler has let go of it.
        final CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        try {
            worker.execute(() -> {
                try {
                    routeHere(call, worker, ctx.alloc()).whenComplete((response, failure) -> answer.complete(
                            failure == null ? response : responses.error(ctx.alloc(), failure)));
                } catch (Error e) {
                    // A body too large for the heap, say: answered 500 here, as the worker's executor would only
                    // log it and the connection's later requests would wait behind this one for ever.
                    answer.complete(responses.error(ctx.alloc(), e));
                } finally {
                    request.release();
                }
            });
        } catch (RejectedExecutionException e) {
            request.release();
            answer.complete(responses.error(ctx.alloc(), new ServingException(StatusCode.UNAVAILABLE,
                    "The server is shutting down")));
        }
        return answer;
    }

    /** True for a body handled on a worker: {@code offloadBytes} or more, less when it came compressed. */
    private boolean isLarge(final FullHttpRequest request) {
        final int size = request.content().readableBytes();
        return size >= offloadBytes
                || size >= offloadBytes / CompressedBodies.EXPANSION && CompressedBodies.isCompressed(request);
    }

    /**
     * Routes {@code call} on the calling thread, {@code executor}'s; a compressed body is decompressed first. Never
     * throws: a failure becomes its error response.
     */
    private CompletableFuture<FullHttpResponse> routeHere(final RestRequest call, final EventExecutor executor,
                                                          final ByteBufAllocator alloc) {
        try {
            if (!CompressedBodies.isCompressed(call.http())) {
                return router.route(call, executor, alloc);
            }
            final FullHttpRequest decompressed;
            try {
                decompressed = CompressedBodies.decompressed(call.http(), maxRequestBytes);
            } catch (DecompressionException e) {
                return CompletableFuture.completedFuture(undecompressable(alloc, e));
            }
            try {
                return router.route(call.withHttp(decompressed), executor, alloc);
            } finally {
                decompressed.release();
            }
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(responses.error(alloc, e));
        }
    }

    /**
     * The answer to a body that could not be decompressed: 413 past {@code --max_request_bytes}, as a body that
     * large as sent; 415 with {@code Accept-Encoding} for a coding this server does not decode (RFC 9110, section
     * 15.5.16); 400 for a body that is not what its encoding says. The body was read whole: the connection goes on.
     */
    private FullHttpResponse undecompressable(final ByteBufAllocator alloc, final DecompressionException e) {
        if (e instanceof CompressedBodies.TooLargeException) {
            return responses.error(alloc, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "The request body is larger than " + maxRequestBytes
                            + " bytes once decompressed (--max_request_bytes)");
        }
        final String message = "The request body could not be decompressed (Content-Encoding): " + e.getMessage();
        if (e instanceof CompressedBodies.UnsupportedCodingException) {
            final FullHttpResponse response = responses.error(alloc, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    message);
            response.headers().set(HttpHeaderNames.ACCEPT_ENCODING, CompressedBodies.acceptedCodings());
            return response;
        }
        return responses.error(alloc, ServingException.invalidArgument(message));
    }

    private void write(final ChannelHandlerContext ctx, final FullHttpResponse response, final boolean keepAlive,
                       final RequestObserver.Observation observation) {
        if (!ctx.channel().isActive()) {
            response.release();
            releasePipelined();
            observation.finish(CLIENT_CLOSED_REQUEST);
            return;
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        final int status = response.status().code();
        final var written = ctx.writeAndFlush(response);
        written.addListener(f -> observation.finish(f.isSuccess() ? status : CLIENT_CLOSED_REQUEST));
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
            releasePipelined();
            return;
        }
        answering = false;
        final FullHttpRequest next = pipelined.poll();
        if (next != null) {
            queuedBytes -= next.content().readableBytes();
            try {
                dispatch(ctx, next);
            } finally {
                next.release();
            }
        }
        updateReading(ctx);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception {
        updateReading(ctx);
        super.channelWritabilityChanged(ctx);
    }

    /** Reads while the client takes its answers and the queue of pipelined requests has room (see the class). */
    private void updateReading(final ChannelHandlerContext ctx) {
        final boolean read = ctx.channel().isWritable()
                && pipelined.size() < MAX_QUEUED_REQUESTS && queuedBytes < MAX_QUEUED_BYTES;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        releasePipelined();
        super.channelInactive(ctx);
    }

    private void releasePipelined() {
        FullHttpRequest request;
        while ((request = pipelined.poll()) != null) {
            request.release();
        }
        queuedBytes = 0;
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        LOG.debug("Closing REST connection {} after an error", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
