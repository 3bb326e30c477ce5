package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TfRecordReaderTest {
    @Test
    void shouldMaskCrc32cAsTensorFlowDoes() {
        // CRC-32C("123456789") = 0xE3069283 (RFC 3720); TensorFlow's mask rotates right by 15 and adds 0xa282ead8.
        final byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(TfRecordReader.maskedCrc(digits, 0, digits.length)).isEqualTo(0xc78ab0e5);
    }

    @Test
    void shouldReadRecordsInOrderUntilTheEnd() throws IOException {
        final byte[] file = WarmupFiles.tfRecords(List.of(new byte[] {1, 2, 3}, new byte[0], new byte[] {9}));
        final TfRecordReader reader = new TfRecordReader(new ByteArrayInputStream(file), 100);
        assertThat(reader.next()).containsExactly(1, 2, 3);
        assertThat(reader.next()).isEmpty();
        assertThat(reader.next()).containsExactly(9);
        assertThat(reader.next()).isNull();
    }

    @Test
    void shouldRefuseCorruptedTruncatedAndOversizedRecords() {
        final byte[] file = WarmupFiles.tfRecords(List.of(new byte[] {1, 2, 3}));
        final byte[] badLength = file.clone();
        badLength[0] ^= 1;
        assertThatThrownBy(() -> new TfRecordReader(new ByteArrayInputStream(badLength), 100).next())
                .hasMessageContaining("the length's checksum does not match");
        final byte[] badData = file.clone();
        badData[12] ^= 1;
        assertThatThrownBy(() -> new TfRecordReader(new ByteArrayInputStream(badData), 100).next())
                .hasMessageContaining("the data's checksum does not match");
        assertThatThrownBy(() -> new TfRecordReader(new ByteArrayInputStream(Arrays.copyOf(file, 14)), 100).next())
                .hasMessageContaining("the file ends inside a record");
        assertThatThrownBy(() -> new TfRecordReader(new ByteArrayInputStream(file), 2).next())
                .hasMessageContaining("record of 3 bytes, more than the 2 allowed");
    }
}
