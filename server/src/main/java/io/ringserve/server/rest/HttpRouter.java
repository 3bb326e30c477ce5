package io.ringserve.server.rest;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Answers the requests of one listener. Called on the connection's event loop; must read the body before returning
 * and must not block. The future never completes exceptionally: failures become error responses. Thread-safe.
 */
@FunctionalInterface
public interface HttpRouter {
    CompletableFuture<FullHttpResponse> route(ChannelHandlerContext ctx, RestRequest request);
}
