package io.ringserve.server.rest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.Zstd;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
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
 * the other encodings go through Netty's decoder. A coding neither knows ({@code br} and {@code zstd} need their
 * native libraries, which the server does not ship) is refused naming it and the ones decoded, rather than passed on
 * still encoded to fail as malformed JSON.
 */
final class CompressedBodies {
    /**
     * How many times larger than its compressed form a body is taken to be when deciding where to handle it: JSON
     * numbers compress three- to tenfold, repeated values and padding far more.
     */
    static final int EXPANSION = 16;
    /** What one read of an inflating stream adds to the body at most. */
    private static final int INFLATE_CHUNK = 64 << 10;

    /** The body names a content coding this server does not decode: 415 Unsupported Media Type. */
    static final class UnsupportedCodingException extends DecompressionException {
        private static final long serialVersionUID = 1L;

        UnsupportedCodingException(final String message) {
            super(message);
        }
    }

    /** The body decompresses to more than the limit: 413 Content Too Large, as a body that large as sent. */
    static final class TooLargeException extends DecompressionException {
        private static final long serialVersionUID = 1L;

        TooLargeException(final int maxBytes) {
            super("the body is larger than " + maxBytes + " bytes once decompressed");
        }
    }

    private CompressedBodies() {
    }

    /** True when {@code request} says its body is encoded (a {@code Content-Encoding} other than identity). */
    static boolean isCompressed(final HttpRequest request) {
        return request.headers().contains(HttpHeaderNames.CONTENT_ENCODING) && !codings(request).isEmpty();
    }

    /**
     * {@code request} with its body decompressed and without its {@code Content-Encoding}, for the caller to
     * release; {@code request} itself is left as it is. A list of codings ({@code gzip, snappy}) is undone last
     * one first, as RFC 9110 lists them in the order they were applied; {@code identity} is skipped.
     *
     * @throws UnsupportedCodingException when a coding is not one this server decodes
     * @throws TooLargeException when the body decompresses to more than {@code maxBytes}
     * @throws DecompressionException when the body is not what its encoding says, or is cut short; the message says
     *     which
     */
    static FullHttpRequest decompressed(final FullHttpRequest request, final int maxBytes) {
        final List<String> codings = codings(request);
        for (String coding : codings) {
            if (!isSupported(coding)) {
                throw new UnsupportedCodingException("'" + coding + "' is not a content coding this server decodes ("
                        + acceptedCodings() + ")");
            }
        }
        ByteBuf body = request.content().retainedDuplicate();
        try {
            for (int i = codings.size() - 1; i >= 0; i--) {
                final ByteBuf decoded = decoded(codings.get(i), body, maxBytes);
                body.release();
                body = decoded;
            }
            return withBody(request, body);
        } catch (RuntimeException | Error e) {
            body.release();
            throw e;
        }
    }

    /** The codings {@code request}'s {@code Content-Encoding} names, lower case, in the order listed, no identity. */
    private static List<String> codings(final HttpRequest request) {
        final List<String> codings = new ArrayList<>(1);
        for (String value : request.headers().getAll(HttpHeaderNames.CONTENT_ENCODING)) {
            for (String coding : value.split(",")) {
                final String name = coding.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !HttpHeaderValues.IDENTITY.contentEquals(name)) {
                    codings.add(name);
                }
            }
        }
        return codings;
    }

    private static boolean isSupported(final String coding) {
        return switch (coding) {
            case "gzip", "x-gzip", "deflate", "x-deflate", "snappy" -> true;
            case "br" -> Brotli.isAvailable();
            case "zstd" -> Zstd.isAvailable();
            default -> false;
        };
    }

    /** The codings this server decodes, comma separated: for error messages and {@code Accept-Encoding}. */
    static String acceptedCodings() {
        return String.join(", ", supported());
    }

    private static List<String> supported() {
        final List<String> names = new ArrayList<>(List.of("gzip", "x-gzip", "deflate", "x-deflate", "snappy"));
        if (Brotli.isAvailable()) {
            names.add("br");
        }
        if (Zstd.isAvailable()) {
            names.add("zstd");
        }
        return names;
    }

    /** {@code body} with {@code coding} undone, a new buffer for the caller to release; {@code body} is kept. */
    private static ByteBuf decoded(final String coding, final ByteBuf body, final int maxBytes) {
        return switch (coding) {
            case "gzip", "x-gzip", "deflate", "x-deflate" -> inflated(body, coding.endsWith("gzip"), maxBytes);
            default -> decodedByNetty(coding, body, maxBytes);
        };
    }

    /** {@code compressed}, gzip or deflate, inflated by {@link java.util.zip}. */
    private static ByteBuf inflated(final ByteBuf compressed, final boolean gzip, final int maxBytes) {
        final Inflater inflater = gzip ? null : new Inflater(!isZlibStream(compressed));
        final ByteBuf body = compressed.alloc().buffer(
                (int) Math.min(maxBytes, 4L * compressed.readableBytes()) + INFLATE_CHUNK);
        try (InputStream in = gzip ? new GZIPInputStream(new ByteBufInputStream(compressed.duplicate()), 8192)
                : new InflaterInputStream(new ByteBufInputStream(compressed.duplicate()), inflater, 8192)) {
            while (body.ensureWritable(INFLATE_CHUNK).writeBytes(in, INFLATE_CHUNK) >= 0) {
                if (body.readableBytes() > maxBytes) {
                    throw new TooLargeException(maxBytes);
                }
            }
            return body;
        } catch (EOFException e) {
            body.release();
            throw new DecompressionException("the body ends before its compressed data does (cut short)");
        } catch (IOException e) {
            body.release();
            throw new DecompressionException(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (RuntimeException | Error e) {
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

    /** Moves what {@code decoder} has decoded so far into {@code body}; past {@code maxBytes}, refuses the body. */
    private static void takeDecoded(final EmbeddedChannel decoder, final CompositeByteBuf body, final int maxBytes) {
        for (Object part = decoder.readInbound(); part != null; part = decoder.readInbound()) {
            if (part instanceof HttpContent content) {
                body.addComponent(true, content.content()); // the body owns what the decoder gave
                if (body.readableBytes() > maxBytes) {
                    throw new TooLargeException(maxBytes);
                }
            }
        }
    }

    /** {@code compressed} decoded by Netty's {@link HttpContentDecompressor} for {@code coding}. */
    private static ByteBuf decodedByNetty(final String coding, final ByteBuf compressed, final int maxBytes) {
        final EmbeddedChannel decoder = new EmbeddedChannel(new HttpContentDecompressor(false, maxBytes));
        final CompositeByteBuf body = compressed.alloc().compositeBuffer(Integer.MAX_VALUE);
        try {
            final HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
            head.headers().set(HttpHeaderNames.CONTENT_ENCODING, coding)
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            decoder.writeInbound(head);
            // Fed a slice at a time, the limit checked after each: Netty's Snappy decoder has no limit of its own,
            // and a whole body at once could expand twentyfold before the first check.
            for (int offset = 0; offset < compressed.readableBytes(); offset += INFLATE_CHUNK) {
                final int length = Math.min(INFLATE_CHUNK, compressed.readableBytes() - offset);
                decoder.writeInbound(new DefaultHttpContent(
                        compressed.retainedSlice(compressed.readerIndex() + offset, length)));
                takeDecoded(decoder, body, maxBytes);
            }
            decoder.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
            decoder.finish();
            takeDecoded(decoder, body, maxBytes);
            return body;
        } catch (DecompressionException e) {
            body.release();
            throw e;
        } catch (DecoderException e) {
            // Netty's decoders also fail on malformed input with other exceptions (an index past a buffer's end).
            body.release();
            throw new DecompressionException("the body is not valid " + coding + " data", e);
        } catch (RuntimeException | Error e) {
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
