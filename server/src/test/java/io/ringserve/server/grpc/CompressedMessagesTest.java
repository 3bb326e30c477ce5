package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.ForwardingReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CompressedMessages} with grpc-java's own message buffers, delivered as grpc-java delivers them: a wrapper
 * that calls the decompressor before delivering (older grpc-java) or on first use (1.85).
 */
class CompressedMessagesTest {
    private static final byte[] TEXT = "a message, compressed as a client would send it".repeat(20)
            .getBytes(StandardCharsets.UTF_8);
    private static final int MAX_BYTES = 1 << 20;

    private final Decompressor gzip = CompressedMessages.registry(MAX_BYTES).lookupDecompressor("gzip");

    @AfterEach
    void forgetWhatIsLeft() {
        CompressedMessages.delivered(new ByteArrayInputStream(new byte[0]));
    }

    /** The transport's buffer holding {@code bytes}, as grpc-java hands a decompressor a message. */
    private static InputStream transportStream(final byte[] bytes) {
        return ReadableBuffers.openStream(ReadableBuffers.wrap(bytes), true);
    }

    /** A transport buffer that counts how often it is released. */
    private static final class CountingBuffer extends ForwardingReadableBuffer {
        int closes;

        CountingBuffer(final byte[] bytes) {
            super(ReadableBuffers.wrap(bytes));
        }

        @Override
        public void close() {
            closes++;
            super.close();
        }
    }

    private static byte[] gzipped(final byte[] bytes) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    /** A wrapper that calls the decompressor on first use, as grpc-java 1.85's LazyDecompressingInputStream. */
    private static final class LazyWrapper extends FilterInputStream {
        private final Decompressor decompressor;
        private boolean initialized;

        LazyWrapper(final InputStream compressed, final Decompressor decompressor) {
            super(compressed);
            this.decompressor = decompressor;
        }

        private void init() throws IOException {
            if (!initialized) {
                in = decompressor.decompress(in);
                initialized = true;
            }
        }

        @Override
        public int read() throws IOException {
            init();
            return super.read();
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            init();
            return super.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            init();
            return super.available();
        }
    }

    @Test
    void shouldMoveAMessageDecompressedBeforeDelivery() throws IOException {
        final byte[] compressed = gzipped(TEXT);
        final InputStream delivered = new FilterInputStream(gzip.decompress(transportStream(compressed))) { };

        final CompressedMessages.Delivered message = CompressedMessages.delivered(delivered);

        assertThat(message).isNotNull();
        assertThat(message.compressedBytes()).isEqualTo(compressed.length);
        try (InputStream moved = message.detach()) {
            assertThat(moved.readAllBytes()).isEqualTo(TEXT);
        }
        assertThat(delivered.read()).as("what the transport still holds: nothing").isEqualTo(-1);
        delivered.close();
    }

    @Test
    void shouldMoveAMessageDecompressedOnFirstUse() throws IOException {
        final CountingBuffer buffer = new CountingBuffer(gzipped(TEXT));
        final InputStream delivered = new LazyWrapper(ReadableBuffers.openStream(buffer, true), gzip);

        final CompressedMessages.Delivered message = CompressedMessages.delivered(delivered);

        assertThat(message).isNotNull();
        final InputStream moved = message.detach();
        delivered.close(); // as grpc-java closes the message once its listener returns
        assertThat(buffer.closes).as("the transport's buffer, held by the moved message").isZero();
        assertThat(moved.readAllBytes()).isEqualTo(TEXT);
        moved.close();
        assertThat(buffer.closes).as("released once, by the moved message").isEqualTo(1);
    }

    @Test
    void shouldLeaveAMessageAlreadyReadWhereItIs() throws IOException {
        final CountingBuffer buffer = new CountingBuffer(gzipped(TEXT));
        final InputStream delivered = new LazyWrapper(ReadableBuffers.openStream(buffer, true), gzip);
        final byte[] first = new byte[10];
        assertThat(delivered.read(first)).isEqualTo(10);

        assertThat(CompressedMessages.delivered(delivered)).isNull();

        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(first);
        delivered.transferTo(all);
        assertThat(all.toByteArray()).isEqualTo(TEXT);
        delivered.close();
        assertThat(buffer.closes).isEqualTo(1);
    }

    @Test
    void shouldNotTakeAnotherMessageForTheOneDelivered() throws IOException {
        // A message decompressed on this thread and never delivered, then one that is not compressed.
        final InputStream undelivered = gzip.decompress(transportStream(gzipped(TEXT)));

        assertThat(CompressedMessages.delivered(transportStream(TEXT))).isNull();
        assertThat(CompressedMessages.delivered(new FilterInputStream(undelivered) { }))
                .as("forgotten by the call before").isNull();
        undelivered.close();
    }

    @Test
    void shouldFailAMovedMessageThatInflatesPastTheLimitAsGrpcJavaDoes() throws IOException {
        final Decompressor limited = CompressedMessages.registry(1000).lookupDecompressor("gzip");
        final InputStream delivered = new LazyWrapper(transportStream(gzipped(new byte[5000])), limited);

        try (InputStream moved = CompressedMessages.delivered(delivered).detach()) {
            assertThatThrownBy(moved::readAllBytes).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription())
                        .isEqualTo("Decompressed gRPC message exceeds maximum size 1000");
            });
        }
        delivered.close();
    }

    @Test
    void shouldAdvertiseGzipAndDeflate() {
        final DecompressorRegistry registry = CompressedMessages.registry(MAX_BYTES);

        assertThat(registry.getAdvertisedMessageEncodings()).containsExactlyInAnyOrder("gzip", "deflate");
        assertThat(registry.lookupDecompressor("identity")).isNotNull();
    }
}
