package io.ringserve.server.rest;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Closes a keep-alive REST connection that has been idle for the pipeline's {@link IdleStateHandler} time: nothing
 * read or written, and no request of it being answered. A request whose model runs longer than the idle time keeps
 * its connection: the idle time counts again from its answer. Sits after the HTTP codec, where requests and
 * responses are messages. One instance per connection; runs on the connection's event loop only.
 */
final class IdleConnectionCloser extends ChannelDuplexHandler {
    private int unanswered;

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        if (msg instanceof HttpRequest) {
            unanswered++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !isInformational(msg) && unanswered > 0) {
            unanswered--;
        }
        ctx.write(msg, promise);
    }

    /** A {@code 100 Continue} goes out before the request's body is read: it answers nothing. */
    private static boolean isInformational(final Object msg) {
        return msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (unanswered == 0) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
