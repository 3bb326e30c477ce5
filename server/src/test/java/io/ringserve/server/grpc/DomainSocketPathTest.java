package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DomainSocketPathTest {
    @TempDir
    Path dir;

    @Test
    void shouldReplaceASocketAnEarlierRunLeftAndRemoveItsOwnOnClose() throws IOException {
        final Path stale = dir.resolve("grpc.sock");
        leaveSocketAt(stale);
        assertThat(DomainSocketPath.isSocket(stale)).isTrue();

        final DomainSocketPath socket = DomainSocketPath.prepare(stale.toString());
        assertThat(stale).doesNotExist(); // free for the bind

        leaveSocketAt(socket.path()); // what the listener's bind creates
        socket.close();
        assertThat(stale).doesNotExist();
    }

    @Test
    void shouldRefuseToReplaceAFileThatIsNotASocket() throws IOException {
        final Path file = Files.writeString(dir.resolve("model.pb"), "precious");

        assertThatThrownBy(() -> DomainSocketPath.prepare(file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--grpc_socket_path").hasMessageContaining("is not a socket");
        assertThat(file).hasContent("precious");
        assertThat(DomainSocketPath.isSocket(file)).isFalse();
    }

    @Test
    void shouldNameAMissingDirectory() {
        assertThatThrownBy(() -> DomainSocketPath.prepare(dir.resolve("absent/grpc.sock").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absent").hasMessageContaining("does not exist");
    }

    @Test
    void shouldResolveARelativePathAgainstTheWorkingDirectory() {
        assertThat(DomainSocketPath.prepare("ringserve-test-" + ProcessHandle.current().pid() + ".sock").path())
                .isEqualTo(Path.of("").toAbsolutePath().resolve("ringserve-test-" + ProcessHandle.current().pid()
                        + ".sock"));
    }

    @Test
    void closingWhenTheSocketIsAlreadyGoneShouldDoNothing() {
        final DomainSocketPath socket = DomainSocketPath.prepare(dir.resolve("never-bound.sock").toString());
        socket.close();
        assertThat(socket.path()).doesNotExist();
    }

    /** Binds and closes a socket: the file stays, as after a server that did not clean up. */
    private static void leaveSocketAt(final Path path) throws IOException {
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(path));
        }
    }
}
