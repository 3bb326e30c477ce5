package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --grpc_socket_path}: the gRPC API on a UNIX domain socket beside the TCP port, as TF Serving offers it for
 * clients on the same host (sidecars); the socket file is removed on shutdown.
 */
@Timeout(120)
class GrpcSocketIT {
    @TempDir
    Path dir;

    @Test
    void shouldServePredictAndHealthOnTheSocketAndTheTcpPortAndRemoveTheSocketOnClose() throws Exception {
        assumeTrue(Epoll.isAvailable(), "UNIX domain sockets need Netty's native epoll transport (Linux)");
        final Path socket = dir.resolve("grpc.sock");
        final InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .grpcSocketPath(socket.toString()).build()).start();
        final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        final ManagedChannel overSocket = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(clientLoop).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
        final ManagedChannel overTcp = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .usePlaintext().build();
        try {
            for (ManagedChannel channel : List.of(overSocket, overTcp)) {
                final PredictResponse answer = PredictionServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS).predict(HalfPlusTwoOverGrpc.predict(1f, 2f, 5f));
                assertThat(answer.getOutputsOrThrow("y").getFloatValList()).containsExactly(2.5f, 3f, 4.5f);
                assertThat(answer.getModelSpec().getVersion().getValue()).isEqualTo(123);
                assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance())
                        .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            }
        } finally {
            overSocket.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            overTcp.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            server.close();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void shouldRefuseToStartOverAFileThatIsNotASocket() throws Exception {
        final Path file = Files.writeString(dir.resolve("config.txt"), "keep me");
        final InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .grpcPort(0).grpcSocketPath(file.toString()).build());
        try {
            assertThatThrownBy(server::start).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--grpc_socket_path").hasMessageContaining("is not a socket");
        } finally {
            server.close();
        }
        assertThat(file).hasContent("keep me");
    }
}
