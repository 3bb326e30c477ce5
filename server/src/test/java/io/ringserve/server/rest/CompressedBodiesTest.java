package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.SnappyFrameEncoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compressed REST bodies: each encoding decompressed, and each way a body can be wrong named. */
class CompressedBodiesTest {
    private static final byte[] JSON = "{\"instances\": [[1.0], [2.0], [5.0]]}".getBytes(StandardCharsets.UTF_8);

    /** A stream encoder: gzip, deflate. */
    interface Encoder {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    /** {@code data} through {@code encoder}. Also for {@link CompressedBodiesFuzzTest}. */
    static byte[] encode(final byte[] data, final Encoder encoder) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = encoder.wrap(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** {@code data} in Snappy's framing format, as Netty's encoder writes it. Also for the fuzz test. */
    static byte[] snappy(final byte[] data) {
        final EmbeddedChannel encoder = new EmbeddedChannel(new SnappyFrameEncoder());
        encoder.writeOutbound(Unpooled.wrappedBuffer(data));
        final ByteBuf framed = Unpooled.buffer();
        for (ByteBuf part = encoder.readOutbound(); part != null; part = encoder.readOutbound()) {
            framed.writeBytes(part);
            part.release();
        }
        final byte[] bytes = new byte[framed.readableBytes()];
        framed.readBytes(bytes).release();
        return bytes;
    }

    private static FullHttpRequest request(final String encoding, final byte[] body) {
        final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/models/m:predict", Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.CONTENT_ENCODING, encoding);
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return request;
    }

    /** Decompresses, checks the request is left as it was, and gives the body as text. */
    private static String decompressed(final FullHttpRequest request, final int maxBytes) {
        try {
            final FullHttpRequest decoded = CompressedBodies.decompressed(request, maxBytes);
            try {
                assertThat(decoded.headers().contains(HttpHeaderNames.CONTENT_ENCODING)).isFalse();
                assertThat(decoded.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                        .isEqualTo(decoded.content().readableBytes());
                assertThat(decoded.uri()).isEqualTo(request.uri());
                return decoded.content().toString(StandardCharsets.UTF_8);
            } finally {
                decoded.release();
            }
        } finally {
            assertThat(request.refCnt()).as("the request is the caller's still").isEqualTo(1);
            request.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "x-gzip", "GZIP"})
    void shouldInflateGzip(final String encoding) throws IOException {
        assertThat(decompressed(request(encoding, encode(JSON, GZIPOutputStream::new)), 1 << 20))
                .isEqualTo(new String(JSON, StandardCharsets.UTF_8));
    }

    @Test
    void shouldInflateDeflateAsAZlibStreamAndAsRawDeflate() throws IOException {
        assertThat(decompressed(request("deflate", encode(JSON, DeflaterOutputStream::new)), 1 << 20))
                .isEqualTo(new String(JSON, StandardCharsets.UTF_8));
        final byte[] raw = encode(JSON, out -> new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION,
                true)));
        assertThat(decompressed(request("x-deflate", raw), 1 << 20))
                .isEqualTo(new String(JSON, StandardCharsets.UTF_8));
    }

    @Test
    void shouldDecodeSnappyThroughNettysDecoder() {
        assertThat(decompressed(request("snappy", snappy(JSON)), 1 << 20))
                .isEqualTo(new String(JSON, StandardCharsets.UTF_8));
    }

    @Test
    void shouldDecodeASnappyBodyFedInSlicesAndRefuseOneThatExpandsPastTheLimit() {
        final byte[] noise = new byte[140_000]; // incompressible: three 64 KiB slices of compressed input
        new java.util.Random(7).nextBytes(noise);
        final FullHttpRequest large = request("snappy", snappy(noise));
        assertThat(large.content().readableBytes()).isGreaterThan(2 * 65_536);
        try {
            final FullHttpRequest decoded = CompressedBodies.decompressed(large, 1 << 20);
            try {
                assertThat(ByteBufUtil.getBytes(decoded.content())).isEqualTo(noise);
            } finally {
                decoded.release();
            }
        } finally {
            large.release();
        }
        final FullHttpRequest bomb = request("snappy", snappy(new byte[256 << 10])); // 256 KiB of zeros, ~13 KB
        assertThatThrownBy(() -> CompressedBodies.decompressed(bomb, 100_000))
                .isInstanceOf(DecompressionException.class)
                .hasMessage("the body is larger than 100000 bytes once decompressed");
        assertThat(bomb.release()).as("nothing else holds the request").isTrue();
    }

    @Test
    void shouldNameABodyCutShort() throws IOException {
        final byte[] whole = encode(JSON, GZIPOutputStream::new);
        final FullHttpRequest cut = request("gzip", Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> CompressedBodies.decompressed(cut, 1 << 20))
                .isInstanceOf(DecompressionException.class)
                .hasMessage("the body ends before its compressed data does (cut short)");
        assertThat(cut.release()).as("nothing else holds the request").isTrue();
    }

    @Test
    void shouldNameABodyThatIsNotItsEncoding() {
        final FullHttpRequest plain = request("gzip", JSON);
        assertThatThrownBy(() -> CompressedBodies.decompressed(plain, 1 << 20))
                .isInstanceOf(DecompressionException.class).hasMessage("Not in GZIP format");
        plain.release();
    }

    @Test
    void shouldRefuseABodyThatDecompressesPastTheLimit() throws IOException {
        final FullHttpRequest large = request("gzip", encode(new byte[1 << 20], GZIPOutputStream::new));
        assertThatThrownBy(() -> CompressedBodies.decompressed(large, 1000))
                .isInstanceOf(DecompressionException.class)
                .hasMessage("the body is larger than 1000 bytes once decompressed");
        large.release();
    }

    @Test
    void shouldTellCompressedBodiesFromOthers() {
        for (String encoding : new String[] {"gzip", "snappy", "br"}) {
            assertThat(CompressedBodies.isCompressed(request(encoding, JSON))).as(encoding).isTrue();
        }
        for (String encoding : new String[] {"identity", "IDENTITY", "", "identity , identity"}) {
            assertThat(CompressedBodies.isCompressed(request(encoding, JSON))).as(encoding).isFalse();
        }
        assertThat(CompressedBodies.isCompressed(request("identity, gzip", JSON))).isTrue();
        assertThat(CompressedBodies.isCompressed(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/"))).isFalse();
    }

    @Test
    void shouldUndoAListOfCodingsLastOneFirstAndSkipIdentity() throws IOException {
        final byte[] gzipThenSnappy = snappy(encode(JSON, GZIPOutputStream::new));
        assertThat(decompressed(request("gzip, identity, snappy", gzipThenSnappy), 1 << 20))
                .isEqualTo(new String(JSON, StandardCharsets.UTF_8));
        assertThat(decompressed(request("identity,Gzip", encode(JSON, GZIPOutputStream::new)), 1 << 20))
                .isEqualTo(new String(JSON, StandardCharsets.UTF_8));
        final FullHttpRequest twoHeaders = request("gzip", gzipThenSnappy);
        twoHeaders.headers().add(HttpHeaderNames.CONTENT_ENCODING, "snappy");
        assertThat(decompressed(twoHeaders, 1 << 20)).isEqualTo(new String(JSON, StandardCharsets.UTF_8));
    }

    @Test
    void shouldNameACodingInTheWrongPlaceOfAList() throws IOException {
        final FullHttpRequest swapped = request("snappy, gzip", snappy(encode(JSON, GZIPOutputStream::new)));
        assertThatThrownBy(() -> CompressedBodies.decompressed(swapped, 1 << 20))
                .isInstanceOf(DecompressionException.class).hasMessage("Not in GZIP format");
        assertThat(swapped.release()).as("nothing else holds the request").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"br", "compress", "gzip, zz"})
    void shouldRefuseACodingItCannotUndoNamingIt(final String encoding) throws IOException {
        final FullHttpRequest unknown = request(encoding, encode(JSON, GZIPOutputStream::new));
        final String coding = encoding.substring(encoding.lastIndexOf(' ') + 1);
        assertThatThrownBy(() -> CompressedBodies.decompressed(unknown, 1 << 20))
                .isInstanceOf(DecompressionException.class)
                .hasMessage("'" + coding + "' is not a content coding this server decodes "
                        + "(gzip, x-gzip, deflate, x-deflate, snappy)");
        assertThat(unknown.release()).as("nothing else holds the request").isTrue();
    }
}
