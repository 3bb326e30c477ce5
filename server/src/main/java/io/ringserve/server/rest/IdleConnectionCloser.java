package io.ringserve.server.rest;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a keep-alive REST connection when it is idle, that is when no request of it is being read, waits or is
 * being answered, and it should go:
 * <ul>
 *   <li>after the pipeline's {@link IdleStateHandler} all-idle time (nothing read or written): a request whose
 *       model runs longer than that keeps its connection, and the idle time counts again from its answer;</li>
 *   <li>a request whose body stopped arriving, with nothing else to answer, is answered 408 and its connection
 *       closed once nothing was read for the handler's reader-idle time (the request timeout) or its all-idle
 *       time, whichever comes first, while the connection reads (not while reading is held back,
 *       {@link RestRequestHandler}): a client gone mid-upload holds no connection, and a slow upload that keeps
 *       sending is not cut;</li>
 *   <li>when the server drains ({@link RestConnections#DRAIN}): a busy connection answers every request it has
 *       begun to read (one whose body is still arriving, or pipelined behind another), the last answer with
 *       {@code Connection: close}, and closes after it. An idle one closes once it has been quiet for
 *       {@link #DRAIN_QUIET} (checked each {@code DRAIN_QUIET}), not at once: a client may have sent its next request
 *       just as the drain began (it may sit unread in the socket), and closing then would lose it, with a reset;
 *       such a request is answered as on a busy connection.</li>
 * </ul>
 * Sits after the HTTP codec, where requests and responses are messages, and so before aggregation: a request counts
 * from its head. One instance per connection; runs on the connection's event loop only.
 */
final class IdleConnectionCloser extends ChannelDuplexHandler {
    /** Answers an upload that stopped arriving, before the connection closes; by the timeout that ran out. */
    private static final byte[] STALLED_FOR_REQUEST_TIMEOUT = stalled("the request timeout (--rest_api_timeout_in_ms)");
    private static final byte[] STALLED_FOR_IDLE_TIMEOUT = stalled(
            "the idle timeout (--rest_api_idle_timeout_seconds)");

    /** How long an idle connection must stay quiet, once the server drains, before it is closed. */
    static final Duration DRAIN_QUIET = Duration.ofMillis(500);

    private int unanswered;
    /** Whether anything was read since the last quiet check of a draining idle connection. */
    private boolean readSinceQuietCheck;
    /** Whether the last request's body is still arriving (its head read, its last content not yet). */
    private boolean arriving;
    private boolean draining;

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        readSinceQuietCheck = true;
        if (msg instanceof HttpRequest) {
            unanswered++;
            arriving = true;
        }
        if (msg instanceof LastHttpContent) {
            arriving = false;
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
            if (!draining) {
                draining = true;
                readSinceQuietCheck = false;
                scheduleQuietCheck(ctx);
            }
        } else if (evt instanceof IdleStateEvent idle) {
            final boolean readerIdle = idle.state() == IdleState.READER_IDLE;
            if (unanswered == 0 && !readerIdle) {
                ctx.close();
            } else if (unanswered == 1 && arriving && ctx.channel().config().isAutoRead()) {
                // Nothing is being answered, and the one request left has sent nothing for that long while the
                // server was reading (not while it held reading back for a client that does not take its answers):
                // a client gone mid-upload (a dropped NAT mapping, a crashed host) would hold the connection for ever.
                answerStalled(ctx, readerIdle ? STALLED_FOR_REQUEST_TIMEOUT : STALLED_FOR_IDLE_TIMEOUT);
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * While draining: closes the connection if it is idle and nothing was read since the last check; otherwise checks
     * again later (a connection with requests to answer closes after its last answer, {@link #write}).
     */
    private void scheduleQuietCheck(final ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (unanswered == 0 && !readSinceQuietCheck) {
                // After what is still being written (a large answer to a slow reader): writes go out in order.
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            readSinceQuietCheck = false;
            scheduleQuietCheck(ctx);
        }, DRAIN_QUIET.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void answerStalled(final ChannelHandlerContext ctx, final byte[] body) {
        final FullHttpResponse timeout = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
        timeout.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
    }

    private static byte[] stalled(final String timeout) {
        return ("{\"error\": \"The request body stopped arriving: nothing was read for " + timeout + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
