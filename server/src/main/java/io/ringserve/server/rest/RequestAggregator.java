package io.ringserve.server.rest;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Netty's aggregator, except that a request whose body is larger than {@code --max_request_bytes} is not answered
 * here: Netty would write its bare 413 at once, ahead of the answers still owed to the connection's earlier
 * (pipelined) requests, so that a client would pair them wrongly. Such a request goes on to
 * {@link RestRequestHandler} as a body-less request that failed to decode ({@link BodyTooLargeException}), which
 * answers it in turn, 413 with a JSON error naming the limit, and then closes the connection; the rest of its body
 * is read and dropped. Not shareable: one per connection.
 */
final class RequestAggregator extends HttpObjectAggregator {
    /** The body of a request was larger than the server takes. */
    static final class BodyTooLargeException extends TooLongFrameException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(final String message) {
            super(message);
        }
    }

    RequestAggregator(final int maxRequestBytes) {
        super(maxRequestBytes);
    }

    /**
     * A chunk whose size line was too long fails with the same {@link TooLongHttpLineException} as a request line
     * too long, which {@link RestRequestHandler} answers 414 (URI Too Long); here it becomes what it is, a malformed
     * body (400). Otherwise as Netty aggregates.
     */
    @Override
    protected void decode(final ChannelHandlerContext ctx, final HttpObject part, final List<Object> out)
            throws Exception {
        if (part instanceof HttpContent && !(part instanceof HttpMessage)
                && part.decoderResult().cause() instanceof TooLongHttpLineException tooLong) {
            part.setDecoderResult(DecoderResult.failure(new DecoderException(
                    "The size line of a chunk of the body is too long: " + tooLong.getMessage(), tooLong)));
        }
        super.decode(ctx, part, out);
    }

    /** Hands the oversized request on, as one that failed to decode; its body so far is released by Netty. */
    @Override
    protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest request)) {
            ctx.fireExceptionCaught(new BodyTooLargeException("a message larger than " + maxContentLength()
                    + " bytes"));
            return;
        }
        final FullHttpRequest failed = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.EMPTY_BUFFER);
        failed.headers().set(request.headers());
        failed.headers().remove(HttpHeaderNames.EXPECT);
        HttpUtil.setContentLength(failed, 0);
        failed.setDecoderResult(DecoderResult.failure(new BodyTooLargeException("The request body is larger than "
                + maxContentLength() + " bytes (--max_request_bytes)")));
        ctx.fireChannelRead(failed);
    }

    /**
     * {@code Expect: 100-continue} with a body over the limit: no early 413 from Netty (which would also come out of
     * turn); the request is handed on as oversized, and answered in turn. Otherwise as Netty answers.
     */
    @Override
    protected Object newContinueResponse(final HttpMessage start, final int maxContentLength,
                                         final ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }
}
