package io.ringserve.server.rest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;

/**
 * Answers the requests of one listener. Called on {@code executor}, where the request's work runs: the connection's
 * event loop, or, for a request with a large body, a worker that keeps the decoding off the event loop (see
 * {@link RestRequestHandler}). Must read the body before returning and must not block; what it does later for the
 * request (timeouts, building the answer) it does on {@code executor} too. The future never completes
 * exceptionally: failures become error responses. Thread-safe.
 */
@FunctionalInterface
public interface HttpRouter {
    CompletableFuture<FullHttpResponse> route(RestRequest request, EventExecutor executor, ByteBufAllocator alloc);
}
