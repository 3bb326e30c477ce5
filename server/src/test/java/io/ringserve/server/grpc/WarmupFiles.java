package io.ringserve.server.grpc;

import io.ringserve.models.TestData;
import io.ringserve.proto.serving.PredictionLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Test models with warm-up files: TF Serving's half_plus_two copied with an {@code assets.extra} of our making. */
public final class WarmupFiles {
    private WarmupFiles() {
    }

    /** TFRecord framing of {@code records}, as TensorFlow's RecordWriter writes it. */
    static byte[] tfRecords(final List<byte[]> records) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] record : records) {
            final byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(record.length).array();
            out.writeBytes(length);
            out.writeBytes(le(TfRecordReader.maskedCrc(length, 0, 8)));
            out.writeBytes(record);
            out.writeBytes(le(TfRecordReader.maskedCrc(record, 0, record.length)));
        }
        return out.toByteArray();
    }

    private static byte[] le(final int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    /**
     * A model base path under {@code dir} holding TF Serving's half_plus_two as version 123, whose warm-up file is
     * {@code warmup} (none when null).
     */
    public static Path halfPlusTwoWith(final Path dir, final byte[] warmup) {
        try {
            final Path source = TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123");
            final Path version = dir.resolve("00000123");
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    final Path target = version.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
            if (warmup != null) {
                Files.createDirectories(version.resolve("assets.extra"));
                Files.write(version.resolve(WarmupReplay.REQUESTS_FILE), warmup);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TFRecord file of {@code logs}. */
    public static byte[] of(final PredictionLog... logs) {
        return tfRecords(Stream.of(logs).map(PredictionLog::toByteArray).toList());
    }
}
