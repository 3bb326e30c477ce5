package io.ringserve.server.rest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
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
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * REST request bodies sent with a {@code Content-Encoding} ({@code gzip}, what TF Serving's HTTP server takes,
 * {@code deflate}, and the other encodings Netty's {@link HttpContentDecompressor} knows): which ones are, and their
 * decompressed form. The REST pipeline aggregates a compressed body as it came; {@link RestRequestHandler}
 * decompresses it where the request is handled, on a worker when it is large, so that inflating megabytes does not
 * hold up the event loop. Stateless; decompresses on the calling thread.
 *
 * <p>{@code gzip} and {@code deflate} (a zlib stream, or raw deflate as some clients send it) are inflated with
 * {@link java.util.zip}, which tells a body cut short from a whole one (Netty's decoder passes on what it inflated);
 * the other encodings go through Netty's decoder.
 */
final class CompressedBodies {
    /**
     * How many times larger than its compressed form a body is taken to be when deciding where to handle it: JSON
     * numbers compress three- to tenfold, repeated values and padding far more.
     */
    static final int EXPANSION = 16;
    /** What one read of an inflating stream adds to the body at most. */
    private static final int INFLATE_CHUNK = 64 << 10;

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
     * @throws DecompressionException when the body is not what its encoding says, is cut short, or decompresses to
     *     more than {@code maxBytes}; the message says which
     */
    static FullHttpRequest decompressed(final FullHttpRequest request, final int maxBytes) {
        final String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING, "").trim()
                .toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "gzip", "x-gzip", "deflate", "x-deflate" -> inflated(request, encoding.endsWith("gzip"), maxBytes);
            default -> decodedByNetty(request, maxBytes);
        };
    }

    /** {@code request} with its gzip or deflate body inflated by {@link java.util.zip}. */
    private static FullHttpRequest inflated(final FullHttpRequest request, final boolean gzip, final int maxBytes) {
        final ByteBuf compressed = request.content();
        final Inflater inflater = gzip ? null : new Inflater(!isZlibStream(compressed));
        final ByteBuf body = compressed.alloc().buffer(
                (int) Math.min(maxBytes, 4L * compressed.readableBytes()) + INFLATE_CHUNK);
        try (InputStream in = gzip ? new GZIPInputStream(new ByteBufInputStream(compressed.duplicate()), 8192)
                : new InflaterInputStream(new ByteBufInputStream(compressed.duplicate()), inflater, 8192)) {
            while (body.ensureWritable(INFLATE_CHUNK).writeBytes(in, INFLATE_CHUNK) >= 0) {
                if (body.readableBytes() > maxBytes) {
                    throw new DecompressionException("the body is larger than " + maxBytes
                            + " bytes once decompressed");
                }
            }
            return withBody(request, body);
        } catch (EOFException e) {
            body.release();
            throw new DecompressionException("the body ends before its compressed data does (cut short)");
        } catch (IOException e) {
            body.release();
            throw new DecompressionException(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (RuntimeException e) {
            body.release();
            throw e;
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    /** True when {@code data} starts with a zlib header (RFC 1950), not raw deflate (RFC 1951). */
    private static boolean isZlibStream(final ByteBuf data) {
        if (data.readableBytes() < 2) {
            return true;
        }
        final int cmf = data.getUnsignedByte(data.readerIndex());
        final int flg = data.getUnsignedByte(data.readerIndex() + 1);
        return (cmf & 0x0f) == 8 && (cmf << 8 | flg) % 31 == 0;
    }

    /** {@code head}'s request line and headers, but no {@code Content-Encoding}, with {@code body}. */
    private static FullHttpRequest withBody(final HttpRequest head, final ByteBuf body) {
        final FullHttpRequest decompressed = new DefaultFullHttpRequest(head.protocolVersion(), head.method(),
                head.uri(), body, head.headers().copy(), EmptyHttpHeaders.INSTANCE);
        decompressed.headers().remove(HttpHeaderNames.CONTENT_ENCODING);
        decompressed.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        HttpUtil.setContentLength(decompressed, body.readableBytes());
        return decompressed;
    }

    /** {@code request} with its body decoded by Netty's {@link HttpContentDecompressor}. */
    private static FullHttpRequest decodedByNetty(final FullHttpRequest request, final int maxBytes) {
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
            return withBody(head, body);
        } catch (DecompressionException e) {
            body.release();
            throw e;
        } catch (DecoderException e) {
            // Netty's decoders also fail on malformed input with other exceptions (an index past a buffer's end).
            body.release();
            throw new DecompressionException("the body is not valid "
                    + request.headers().get(HttpHeaderNames.CONTENT_ENCODING) + " data", e);
        } catch (RuntimeException e) {
            body.release();
            throw e;
        } finally {
            try {
                decoder.finishAndReleaseAll();
            } catch (DecoderException alreadyReported) {
                // The decoder fails again on close over the same input; what it said first is what counts.
            }
        }
    }
}
