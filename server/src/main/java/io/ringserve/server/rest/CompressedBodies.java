package io.ringserve.server.rest;

import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * REST request bodies sent with a {@code Content-Encoding} ({@code gzip}, what TF Serving's HTTP server takes,
 * {@code deflate}, and the other encodings Netty's {@link HttpContentDecompressor} knows): which ones are, and their
 * decompressed form. The REST pipeline aggregates a compressed body as it came; {@link RestRequestHandler}
 * decompresses it where the request is handled, on a worker when it is large, so that inflating megabytes does not
 * hold up the event loop. Stateless; decompresses on the calling thread.
 */
final class CompressedBodies {
    /**
     * How many times larger than its compressed form a body is taken to be when deciding where to handle it: JSON
     * numbers compress three- to tenfold, repeated values and padding far more.
     */
    static final int EXPANSION = 16;

    private CompressedBodies() {
    }

    /** True when {@code request} says its body is encoded (a {@code Content-Encoding} other than identity). */
    static boolean isCompressed(final HttpRequest request) {
        final String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        return encoding != null && !encoding.isBlank()
                && !HttpHeaderValues.IDENTITY.contentEqualsIgnoreCase(encoding.trim());
    }

    /**
     * {@code request} with its body decompressed and without its {@code Content-Encoding}, for the caller to
     * release; {@code request} itself is left as it is. An encoding Netty does not know leaves the body as it came.
     *
     * @throws DecompressionException when the body is not what its encoding says, or decompresses to more than
     *     {@code maxBytes}; the message says which
     */
    static FullHttpRequest decompressed(final FullHttpRequest request, final int maxBytes) {
        final EmbeddedChannel decoder = new EmbeddedChannel(new HttpContentDecompressor(false, maxBytes));
        final CompositeByteBuf body = request.content().alloc().compositeBuffer(Integer.MAX_VALUE);
        try {
            decoder.writeInbound(request.retainedDuplicate());
            decoder.finish();
            HttpRequest head = request;
            for (Object part = decoder.readInbound(); part != null; part = decoder.readInbound()) {
                if (part instanceof HttpRequest decodedHead) {
                    head = decodedHead;
                }
                if (part instanceof HttpContent content) {
                    body.addComponent(true, content.content()); // the body owns what the decoder gave
                    if (body.readableBytes() > maxBytes) {
                        throw new DecompressionException("the body is larger than " + maxBytes
                                + " bytes once decompressed");
                    }
                }
            }
            final FullHttpRequest decompressed = new DefaultFullHttpRequest(head.protocolVersion(), head.method(),
                    head.uri(), body, head.headers().copy(), EmptyHttpHeaders.INSTANCE);
            decompressed.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            HttpUtil.setContentLength(decompressed, body.readableBytes());
            return decompressed;
        } catch (RuntimeException e) {
            body.release();
            throw e;
        } finally {
            decoder.finishAndReleaseAll();
        }
    }
}
