package io.ringserve.loadtest;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The REST load generators' last handler: keeps the status of the response being read and reports it once its last
 * content has arrived, without aggregating the body (a generator needs only the status and the end). A connection
 * that fails is reported and closed. One instance per connection; runs on its event loop.
 */
abstract class ResponseEnds extends SimpleChannelInboundHandler<HttpObject> {
    private int status;
    private boolean reusable = true;

    /** A whole response arrived on {@code ctx}'s connection, which is free for the next request. */
    protected abstract void answered(ChannelHandlerContext ctx, int httpStatus);

    /**
     * Whether the response just answered leaves its connection open for the next request: not when the server said
     * {@code Connection: close} (a drain, a proxy's request limit), and then {@link #closed} follows.
     */
    protected final boolean reusable() {
        return reusable;
    }

    /** The connection failed; it is closed after this returns, and {@link #closed} follows. */
    protected abstract void failed(ChannelHandlerContext ctx, Throwable cause);

    /**
     * The connection closed: the server or a proxy ended it ({@code Connection: close}, an idle timeout, a drain),
     * it failed, or the generator closed it. A request it was carrying got no answer.
     */
    protected abstract void closed(ChannelHandlerContext ctx);

    @Override
    protected final void channelRead0(final ChannelHandlerContext ctx, final HttpObject message) {
        if (message instanceof HttpResponse response) {
            status = response.status().code();
            reusable = HttpUtil.isKeepAlive(response);
        }
        if (message instanceof LastHttpContent) {
            answered(ctx, status);
        }
    }

    @Override
    public final void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        closed(ctx);
        super.channelInactive(ctx);
    }

    @Override
    public final void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        failed(ctx, cause);
        ctx.close();
    }
}
