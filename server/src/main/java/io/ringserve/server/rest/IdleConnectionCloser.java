package io.ringserve.server.rest;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Closes a keep-alive REST connection when it is idle, that is when no request of it is being read, waits or is
 * being answered, and it should go:
 * <ul>
 *   <li>after the pipeline's {@link IdleStateHandler} time (nothing read or written): a request whose model runs
 *       longer than that keeps its connection, and the idle time counts again from its answer;</li>
 *   <li>when the server drains ({@link RestConnections#DRAIN}): an idle connection closes at once; a busy one
 *       answers every request it has begun to read (one whose body is still arriving, or pipelined behind
 *       another), the last answer with {@code Connection: close}, and closes after it.</li>
 * </ul>
 * Sits after the HTTP codec, where requests and responses are messages, and so before aggregation: a request counts
 * from its head. One instance per connection; runs on the connection's event loop only.
 */
final class IdleConnectionCloser extends ChannelDuplexHandler {
    private int unanswered;
    private boolean draining;

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        if (msg instanceof HttpRequest) {
            unanswered++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise) {
        if (isInformational(msg)) {
            ctx.write(msg, promise);
            return;
        }
        if (draining && unanswered == 1 && msg instanceof HttpResponse response) {
            HttpUtil.setKeepAlive(response, false);
        }
        ChannelPromise written = promise;
        if (msg instanceof LastHttpContent && unanswered > 0) {
            unanswered--;
            if (draining && unanswered == 0) {
                written = promise.unvoid();
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
        ctx.write(msg, written);
    }

    /** A {@code 100 Continue} goes out before the request's body is read: it answers nothing. */
    private static boolean isInformational(final Object msg) {
        return msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) {
        if (evt == RestConnections.DRAIN) {
            draining = true;
        } else if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (unanswered == 0) {
            ctx.close();
        }
    }
}
