package io.ringserve.server.grpc;

import io.grpc.Codec;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * gRPC's {@code deflate} message encoding: a zlib stream (RFC 1950, the zlib header and checksum around the deflate
 * data), as gRPC core writes it for {@code grpc-encoding: deflate}. TF Serving's C++ server accepts it (Python's
 * {@code grpc.Compression.Deflate}); grpc-java registers only {@code gzip} and {@code identity}
 * ({@link CompressedMessages#registry} adds it). Stateless and thread-safe; each stream has its own
 * {@link java.util.zip.Deflater} or {@link java.util.zip.Inflater}, released when the stream is closed.
 */
public final class DeflateCodec implements Codec {
    /** The encoding's name in {@code grpc-encoding} and {@code grpc-accept-encoding}. */
    public static final String NAME = "deflate";

    @Override
    public String getMessageEncoding() {
        return NAME;
    }

    @Override
    public OutputStream compress(final OutputStream os) {
        return new DeflaterOutputStream(os);
    }

    @Override
    public InputStream decompress(final InputStream is) {
        return new InflaterInputStream(is);
    }
}
