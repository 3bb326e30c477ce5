package io.ringserve.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingParametersFileTest {
    /** A file as TF Serving users write them, unchanged. */
    private static final String TF_SERVING_FILE = """
            # Batching for the ranking model.
            max_batch_size { value : 64 }
            batch_timeout_micros { value: 2000 }
            max_enqueued_batches { value: 100 }
            num_batch_threads { value: 4 }
            thread_pool_name { value: "ranking_pool" }
            allowed_batch_sizes: 8
            allowed_batch_sizes: 32
            allowed_batch_sizes: 64
            pad_variable_length_inputs: false
            """;

    @Test
    void shouldAcceptATfServingFileUnchanged(@TempDir final Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("batching.txt"), TF_SERVING_FILE);
        final BatchingOptions options = BatchingParametersFile.read(file, ClosePolicy.ADAPTIVE);
        assertThat(options.maxBatchSize()).isEqualTo(64);
        assertThat(options.batchTimeout()).isEqualTo(Duration.ofMillis(2));
        assertThat(options.maxEnqueuedBatches()).isEqualTo(100);
        assertThat(options.numBatchThreads()).isEqualTo(4);
        assertThat(options.allowedBatchSizes()).containsExactly(8, 32, 64);
        assertThat(options.closePolicy()).isEqualTo(ClosePolicy.ADAPTIVE);
        assertThat(options.padVariableLengthInputs()).isFalse();
        assertThat(BatchingParametersFile.parse("pad_variable_length_inputs: true", ClosePolicy.ADAPTIVE)
                .padVariableLengthInputs()).isTrue();
        assertThat(BatchingParametersFile.parse("pad_variable_length_inputs { value: true }", ClosePolicy.ADAPTIVE)
                .padVariableLengthInputs()).isTrue();
        // Protobuf's text format spells a bool these ways too; a value that is none is an error, not false.
        assertThat(BatchingParametersFile.parse("pad_variable_length_inputs: 1", ClosePolicy.ADAPTIVE)
                .padVariableLengthInputs()).isTrue();
        assertThat(BatchingParametersFile.parse("pad_variable_length_inputs { value: t }", ClosePolicy.ADAPTIVE)
                .padVariableLengthInputs()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchingParametersFile.parse(
                "pad_variable_length_inputs: yes", ClosePolicy.ADAPTIVE))
                .hasMessageContaining("pad_variable_length_inputs must be true or false, got 'yes'");
        assertThat(MonitoringConfigFile.parse("prometheus_config { enable: 1 }"))
                .isEqualTo(MonitoringConfigFile.DEFAULT_PATH);
        assertThat(MonitoringConfigFile.parse("prometheus_config { enable: t path: '/p' }")).isEqualTo("/p");
    }

    @Test
    void shouldReadSplittingListsAndThePolicy() {
        final BatchingOptions options = BatchingParametersFile.parse("""
                max_batch_size { value: 128 }
                enable_large_batch_splitting { value: true }
                max_execution_batch_size { value: 32 }
                allowed_batch_sizes: [8, 16, 32]
                """, ClosePolicy.TIMEOUT);
        assertThat(options.enableLargeBatchSplitting()).isTrue();
        assertThat(options.maxExecutionBatchSize()).isEqualTo(32);
        assertThat(options.allowedBatchSizes()).containsExactly(8, 16, 32);
        assertThat(options.closePolicy()).isEqualTo(ClosePolicy.TIMEOUT);
    }

    @Test
    void shouldUseTfServingDefaultsForAbsentFields() {
        final BatchingOptions options = BatchingParametersFile.parse("", ClosePolicy.ADAPTIVE);
        assertThat(options.maxBatchSize()).isEqualTo(1000);
        assertThat(options.maxEnqueuedBatches()).isEqualTo(10);
    }

    @Test
    void aFieldGivenTwiceShouldBeRefusedAsTfServingsParserRefusesIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchingParametersFile.parse(
                "max_batch_size { value: 8 } max_batch_size { value: 128 }", ClosePolicy.TIMEOUT))
                .hasMessageContaining("Non-repeated field \"max_batch_size\" is specified multiple times.");
    }

    @Test
    void anyInt64TimeoutShouldBeTakenAsTfServingTakesItTheLongestAsForever() {
        assertThat(BatchingParametersFile.parse("batch_timeout_micros { value: 9223372036854775807 }",
                ClosePolicy.TIMEOUT).batchTimeout()).isEqualTo(Duration.ofNanos(
                        BatchingParametersFile.MAX_BATCH_TIMEOUT_MICROS * 1000L));
        assertThat(BatchingParametersFile.parse("batch_timeout_micros { value: 250 }", ClosePolicy.TIMEOUT)
                .batchTimeout()).isEqualTo(Duration.ofNanos(250_000));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchingParametersFile.parse(
                "batch_timeout_micros { value: -9223372036854775808 }", ClosePolicy.TIMEOUT))
                .hasMessageContaining("batch_timeout_micros must be >= 0");
    }

    @Test
    void shouldNameWhatIsWrong(@TempDir final Path dir) throws IOException {
        assertThatThrownBy(() -> BatchingParametersFile.parse("max_batch_sise { value: 8 }", ClosePolicy.ADAPTIVE))
                .hasMessageContaining("unknown field 'max_batch_sise'");
        assertThatThrownBy(() -> BatchingParametersFile.parse("max_batch_size { value: big }",
                ClosePolicy.ADAPTIVE)).hasMessageContaining("max_batch_size").hasMessageContaining("big");
        assertThatThrownBy(() -> BatchingParametersFile.parse("max_batch_size { value: 8 ", ClosePolicy.ADAPTIVE))
                .hasMessageContaining("missing '}'");
        assertThatThrownBy(() -> BatchingParametersFile.parse(
                "max_batch_size { value: 8 }\nallowed_batch_sizes: 4", ClosePolicy.ADAPTIVE))
                .hasMessageContaining("allowed_batch_sizes");
        final Path file = Files.writeString(dir.resolve("bad.txt"), "num_batch_threads { value: 0 }");
        assertThatThrownBy(() -> BatchingParametersFile.read(file, ClosePolicy.ADAPTIVE))
                .hasMessageContaining(file.toString()).hasMessageContaining("num_batch_threads");
        assertThatThrownBy(() -> BatchingParametersFile.read(dir.resolve("missing.txt"), ClosePolicy.ADAPTIVE))
                .hasMessageContaining("cannot read");
    }
}
