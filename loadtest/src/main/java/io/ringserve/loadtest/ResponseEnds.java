package io.ringserve.loadtest;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The REST load generators' last handler: keeps the status of the response being read and reports it once its last
 * content has arrived, without aggregating the body (a generator needs only the status and the end). A connection
 * that fails is reported and closed. One instance per connection; runs on its event loop.
 */
abstract class ResponseEnds extends SimpleChannelInboundHandler<HttpObject> {
    private int status;

    /** A whole response arrived on {@code ctx}'s connection, which is free for the next request. */
    protected abstract void answered(ChannelHandlerContext ctx, int httpStatus);

    /** The connection failed; it is closed after this returns. */
    protected abstract void failed(ChannelHandlerContext ctx, Throwable cause);

    @Override
    protected final void channelRead0(final ChannelHandlerContext ctx, final HttpObject message) {
        if (message instanceof HttpResponse response) {
            status = response.status().code();
        }
        if (message instanceof LastHttpContent) {
            answered(ctx, status);
        }
    }

    @Override
    public final void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        failed(ctx, cause);
        ctx.close();
    }
}
