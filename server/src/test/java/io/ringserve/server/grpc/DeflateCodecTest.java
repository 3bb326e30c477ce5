package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DeflateCodecTest {
    private static final String TEXT = "ringserve deflate, as gRPC core writes it";
    /** {@code zlib.compress(TEXT)} from Python's zlib: the format gRPC core's deflate (windowBits 15) writes. */
    private static final String ZLIB_HEX = "789c2bcacc4b2f4e2d2a4b5548494dcb492c49d551482c56480f0a705648ce2f4a55"
            + "282fca2c492d56c82c01003e030edb";

    private final DeflateCodec codec = new DeflateCodec();

    @Test
    void shouldReadAZlibStreamAsGrpcCoreWritesIt() throws IOException {
        try (InputStream in = codec.decompress(new ByteArrayInputStream(HexFormat.of().parseHex(ZLIB_HEX)))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        }
    }

    @Test
    void shouldWriteAZlibStreamThatReadsBack() throws IOException {
        final ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream out = codec.compress(compressed)) {
            out.write(TEXT.getBytes(StandardCharsets.UTF_8));
        }
        // The zlib header (deflate, 32 KiB window), not raw deflate or gzip.
        assertThat(compressed.toByteArray()[0]).isEqualTo((byte) 0x78);
        try (InputStream in = codec.decompress(new ByteArrayInputStream(compressed.toByteArray()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        }
    }
}
