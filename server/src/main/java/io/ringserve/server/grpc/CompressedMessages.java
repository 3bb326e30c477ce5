package io.ringserve.server.grpc;

import io.grpc.Codec;
import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import io.grpc.Detachable;
import io.grpc.KnownLength;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The message encodings the gRPC server takes ({@code gzip}, {@code deflate} and {@code identity}, as TF Serving's
 * C++ server), with compressed messages inflated where they are read rather than where they arrive, so that
 * {@link LargeMessageOffload} can move one to a worker before it is inflated: its inflated size is not known until
 * then.
 *
 * <p>How a compressed message reaches a worker unread: grpc-java delivers a compressed message to the call's listener
 * as a wrapper that passes the message's compressed bytes to {@link Decompressor#decompress} on first use (1.85;
 * earlier versions did so just before delivering it, on the same thread) and reads what that returned through a size
 * limit. The stream {@code decompress} returns here inflates nothing until read, and remembers itself for the thread
 * it was made on. {@link #delivered} asks the delivered message for {@code available()}, which makes that stream if
 * need be and reaches it through the wrappers (so it is this message's, not another's), takes it, and
 * {@link Delivered#detach} moves its compressed bytes, unread, to a stream of their own that inflates them wherever
 * it is read, under the same size limit and failing as grpc-java's does past it. A message that cannot be told
 * apart this way (already read, or wrappers that do not pass {@code available()} on) is not taken, and is inflated
 * where it arrived.
 *
 * <p>Thread-safe: each message's stream is used by one thread at a time.
 */
public final class CompressedMessages {
    /** The compressed message just given to the listener on this thread, if any. */
    private static final ThreadLocal<PendingMessage> DELIVERING = new ThreadLocal<>();

    private CompressedMessages() {
    }

    /**
     * The decompressors a server installs ({@code gzip} and {@code deflate} advertised to clients, {@code identity}),
     * each failing a message that inflates past {@code maxMessageBytes} with RESOURCE_EXHAUSTED, as grpc-java does.
     */
    public static DecompressorRegistry registry(final int maxMessageBytes) {
        return DecompressorRegistry.emptyInstance()
                .with(new Deferred(new Codec.Gzip(), maxMessageBytes), true)
                .with(new Deferred(new DeflateCodec(), maxMessageBytes), true)
                .with(Codec.Identity.NONE, false);
    }

    /**
     * The compressed message grpc-java has just delivered on this thread as {@code message} (a stream of this
     * class's decompressors, unread), or null: a message that is not compressed, or cannot be told apart. Each call
     * forgets the message it found, whatever the answer.
     */
    static Delivered delivered(final Object message) {
        if (!(message instanceof InputStream stream)) {
            return null;
        }
        final PendingMessage before = DELIVERING.get();
        if (before != null) {
            before.asked = false;
        }
        // Reaches the message's own stream if it is one of ours; grpc-java (1.85) calls decompress only now, on the
        // first call to its wrapper, so the stream asked may be made by this very call.
        PendingMessage.ask(stream);
        final PendingMessage pending = DELIVERING.get();
        DELIVERING.remove();
        return pending != null && pending.asked && pending.isMovable() ? pending : null;
    }

    /** A compressed message delivered on this thread and not yet read. */
    interface Delivered {
        /** Its compressed size. */
        long compressedBytes();

        /**
         * Its compressed bytes, moved out of the transport's buffers into a stream of their own that inflates them
         * as it is read, on any one thread, and that the caller must close. The delivered message is empty after.
         */
        InputStream detach();
    }

    /** A codec whose messages are inflated where they are read, and can be moved before that ({@link #delivered}). */
    private record Deferred(Decompressor codec, int maxMessageBytes) implements Decompressor {
        Deferred {
            Objects.requireNonNull(codec, "codec");
        }

        @Override
        public String getMessageEncoding() {
            return codec.getMessageEncoding();
        }

        @Override
        public InputStream decompress(final InputStream compressed) {
            final PendingMessage message = new PendingMessage(codec, compressed, maxMessageBytes);
            DELIVERING.set(message);
            return message;
        }
    }

    /**
     * Compressed bytes inflated as they are read, by an inflater made on first use (so that bytes that are not what
     * their encoding says fail there), failing with grpc-java's RESOURCE_EXHAUSTED once more than {@code limit} bytes
     * came out. Closing it frees the inflater and the compressed bytes (an inflater closes what it reads).
     */
    private static class LazyInflation extends InputStream {
        final Decompressor codec;
        final InputStream compressed;
        private final long limit;
        InputStream inflating;
        private long inflated;

        LazyInflation(final Decompressor codec, final InputStream compressed, final long limit) {
            this.codec = codec;
            this.compressed = compressed;
            this.limit = limit;
        }

        private InputStream inflating() throws IOException {
            if (inflating == null) {
                inflating = codec.decompress(compressed);
            }
            return inflating;
        }

        @Override
        public int read() throws IOException {
            final int b = inflating().read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            final int n = inflating().read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(final long n) throws IOException {
            final long skipped = inflating().skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(final long bytes) {
            inflated += bytes;
            if (inflated > limit) {
                throw Status.RESOURCE_EXHAUSTED
                        .withDescription("Decompressed gRPC message exceeds maximum size " + limit)
                        .asRuntimeException();
            }
        }

        /** 0 until read: how much a compressed stream holds is not known before it is inflated. */
        @Override
        public int available() throws IOException {
            return inflating == null ? 0 : inflating.available();
        }

        @Override
        public void close() throws IOException {
            (inflating == null ? compressed : inflating).close();
        }
    }

    /**
     * A compressed message as grpc-java holds it: inflated on first read, where it is read, with no limit of its own
     * (grpc-java's wrapper limits it); {@link #detach} hands the bytes on with the limit.
     */
    private static final class PendingMessage extends LazyInflation implements Delivered {
        private final int maxMessageBytes;
        private final long compressedBytes;
        /** Its bytes were moved to another stream ({@link #detach}); {@link #compressed} is empty. */
        private boolean detached;
        /** Set by {@link #available}: how {@link #delivered} tells that the delivered message reaches this one. */
        private boolean asked;

        PendingMessage(final Decompressor codec, final InputStream compressed, final int maxMessageBytes) {
            super(codec, compressed, Long.MAX_VALUE);
            this.maxMessageBytes = maxMessageBytes;
            this.compressedBytes = compressed instanceof KnownLength ? knownLength(compressed) : -1;
        }

        private static long knownLength(final InputStream stream) {
            try {
                return stream.available();
            } catch (IOException e) {
                return -1;
            }
        }

        /** Unread, and its bytes can leave the transport without a copy. */
        boolean isMovable() {
            return inflating == null && compressedBytes >= 0 && compressed instanceof Detachable;
        }

        /** Calls {@code available()} on {@code stream}: a stream of this class it reaches notes it was asked. */
        static void ask(final InputStream stream) {
            knownLength(stream);
        }

        @Override
        public long compressedBytes() {
            return compressedBytes;
        }

        @Override
        public InputStream detach() {
            if (!isMovable()) {
                throw new IllegalStateException("the message was read or cannot leave the transport");
            }
            final InputStream moved = ((Detachable) compressed).detach();
            detached = true;
            inflating = InputStream.nullInputStream(); // what is left here: nothing
            return new LazyInflation(codec, moved, maxMessageBytes);
        }

        @Override
        public int available() throws IOException {
            asked = true;
            return super.available();
        }

        @Override
        public void close() throws IOException {
            if (DELIVERING.get() == this) {
                DELIVERING.remove();
            }
            if (detached) {
                compressed.close(); // empty: what it held is the moved stream's to release
            } else {
                super.close();
            }
        }
    }
}
