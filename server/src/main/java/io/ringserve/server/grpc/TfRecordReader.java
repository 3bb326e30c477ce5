package io.ringserve.server.grpc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Reads TensorFlow's TFRecord files, record by record: each record is its length (uint64, little-endian), the
 * masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. Both checksums are verified.
 * Not thread-safe; does not close the stream.
 */
final class TfRecordReader {
    private static final int MASK_DELTA = 0xa282ead8;

    private final InputStream in;
    private final long maxRecordBytes;

    /** A reader of {@code in} that refuses records longer than {@code maxRecordBytes}. */
    TfRecordReader(final InputStream in, final long maxRecordBytes) {
        this.in = in;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * The next record, or null at the end of the file.
     *
     * @throws IOException when the file ends inside a record, a checksum does not match, or a record is too long
     */
    byte[] next() throws IOException {
        final byte[] header = new byte[12];
        final int first = in.readNBytes(header, 0, header.length);
        if (first == 0) {
            return null;
        }
        if (first < header.length) {
            throw new EOFException("the file ends inside a record's header");
        }
        final ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        final long length = fields.getLong(0);
        if (fields.getInt(8) != maskedCrc(header, 0, 8)) {
            throw new IOException("corrupted record: the length's checksum does not match");
        }
        if (length < 0 || length > maxRecordBytes) {
            throw new IOException("record of " + Long.toUnsignedString(length) + " bytes, more than the "
                    + maxRecordBytes + " allowed");
        }
        final byte[] data = in.readNBytes((int) length);
        final byte[] crc = in.readNBytes(4);
        if (data.length < length || crc.length < 4) {
            throw new EOFException("the file ends inside a record");
        }
        if (ByteBuffer.wrap(crc).order(ByteOrder.LITTLE_ENDIAN).getInt() != maskedCrc(data, 0, data.length)) {
            throw new IOException("corrupted record: the data's checksum does not match");
        }
        return data;
    }

    /** TFRecord's masked CRC-32C of {@code length} bytes of {@code bytes} from {@code offset}. */
    static int maskedCrc(final byte[] bytes, final int offset, final int length) {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        final int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + MASK_DELTA;
    }
}
