package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Compressed bodies as clients get them wrong: 3,000 bodies (seeded), each encoded one way, perhaps labelled another,
 * perhaps cut, flipped or padded. Every one either decompresses (to what was sent, when nothing was mangled and the
 * label is right) or is refused with a {@link DecompressionException} (a 400 naming why); nothing else is thrown, and
 * no buffer is left held.
 */
class CompressedBodiesFuzzTest {
    private static final String[] ENCODINGS = {"gzip", "x-gzip", "deflate", "x-deflate", "snappy"};
    private static final int MAX_BYTES = 16 << 10;

    @Test
    void shouldDecompressOrRefuseEveryBodyNamingWhy() throws IOException {
        final Random random = new Random(20261130);
        int whole = 0;
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            final byte[] json = json(random);
            final String used = ENCODINGS[random.nextInt(ENCODINGS.length)];
            final String declared = random.nextInt(5) == 0 ? ENCODINGS[random.nextInt(ENCODINGS.length)] : used;
            final byte[] encoded = encode(json, used, random);
            final Mangling mangling = Mangling.values()[random.nextInt(Mangling.values().length)];
            final byte[] sent = mangling.apply(encoded, random);
            final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                    "/v1/models/m:predict", Unpooled.wrappedBuffer(sent));
            request.headers().set(HttpHeaderNames.CONTENT_ENCODING, declared);
            final String what = "case " + i + ": " + used + " sent as " + declared + ", " + mangling;
            try {
                final FullHttpRequest decoded = CompressedBodies.decompressed(request, MAX_BYTES);
                try {
                    assertThat(decoded.content().readableBytes()).as(what).isLessThanOrEqualTo(MAX_BYTES);
                    if (mangling == Mangling.NONE && sameFamily(used, declared)) {
                        assertThat(decoded.content().toString(StandardCharsets.UTF_8)).as(what)
                                .isEqualTo(new String(json, StandardCharsets.UTF_8));
                        whole++;
                    }
                } finally {
                    assertThat(decoded.release()).as(what + ": the answer's body is the caller's alone").isTrue();
                }
            } catch (DecompressionException e) {
                assertThat(mangling != Mangling.NONE || !sameFamily(used, declared) || json.length > MAX_BYTES)
                        .as(what + ": " + e).isTrue();
                assertThat(e.getMessage()).as(what).isNotBlank();
                refused++;
            } finally {
                assertThat(request.refCnt()).as(what + ": the request is left as it was").isEqualTo(1);
                request.release();
            }
        }
        assertThat(whole).as("bodies decompressed whole").isGreaterThan(300);
        assertThat(refused).as("bodies refused").isGreaterThan(300);
    }

    private static boolean sameFamily(final String used, final String declared) {
        return used.replace("x-", "").equals(declared.replace("x-", ""));
    }

    /** A TF Serving predict body of a few random rows, now and then past the limit once decompressed. */
    private static byte[] json(final Random random) {
        final int rows = random.nextInt(20) == 0 ? 3_000 : 1 + random.nextInt(50);
        final StringBuilder json = new StringBuilder("{\"instances\": [");
        for (int i = 0; i < rows; i++) {
            json.append(i == 0 ? "" : ", ").append('[').append(random.nextInt(1000)).append(".5]");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encode(final byte[] data, final String encoding, final Random random) throws IOException {
        if (encoding.equals("snappy")) {
            return CompressedBodiesTest.snappy(data);
        }
        if (encoding.endsWith("gzip")) {
            return CompressedBodiesTest.encode(data, GZIPOutputStream::new);
        }
        final boolean raw = random.nextBoolean();
        return CompressedBodiesTest.encode(data,
                out -> new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw)));
    }

    private enum Mangling {
        NONE {
            @Override
            byte[] apply(final byte[] data, final Random random) {
                return data;
            }
        },
        CUT {
            @Override
            byte[] apply(final byte[] data, final Random random) {
                return Arrays.copyOf(data, random.nextInt(data.length));
            }
        },
        FLIPPED {
            @Override
            byte[] apply(final byte[] data, final Random random) {
                final byte[] flipped = data.clone();
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return flipped;
            }
        },
        GARBAGE {
            @Override
            byte[] apply(final byte[] data, final Random random) {
                final byte[] garbage = new byte[random.nextInt(200)];
                random.nextBytes(garbage);
                return garbage;
            }
        };

        abstract byte[] apply(byte[] data, Random random);
    }
}
