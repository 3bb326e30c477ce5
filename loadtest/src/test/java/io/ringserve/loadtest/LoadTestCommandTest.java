package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadTestCommandTest {
    /** Runs the command line; nothing listens at the targets, and a refusal must come before any connection. */
    private static String errorOf(final String... args) {
        final StringWriter err = new StringWriter();
        final CommandLine command = new CommandLine(new LoadTestCommand()).setErr(new PrintWriter(err));
        assertThat(command.execute(args)).isEqualTo(CommandLine.ExitCode.USAGE);
        return err.toString();
    }

    @Test
    void shouldRefuseGrpcCompressionForRest() {
        assertThat(errorOf("--target=http://127.0.0.1:9", "--grpc_compression=gzip", "--concurrency=1"))
                .contains("--grpc_compression compresses gRPC calls: give --grpc too");
    }

    @Test
    void shouldRefuseASignatureForKServeV2() {
        assertThat(errorOf("--target=http://127.0.0.1:9", "--protocol=v2", "--signature=other"))
                .contains("--signature: KServe V2 requests name no signature");
    }

    @Test
    void shouldNameAnUnknownCompression() {
        assertThat(errorOf("--grpc=127.0.0.1:9", "--grpc_compression=br"))
                .contains("--grpc_compression").contains("br").contains("none, gzip, deflate");
    }
}
