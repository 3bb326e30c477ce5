package io.ringserve.loadtest;

import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringserve.server.grpc.DeflateCodec;

/**
 * gRPC channels as the load generators open them: plaintext, gzip and deflate for calls that ask, callbacks on the
 * transport's threads (they only record and send the next call), no retries (a load generator counts failures, it
 * does not hide them, and the retry machinery costs CPU per call that the server under test would otherwise get),
 * and room for large answers.
 * A target is {@code host:port}, or {@code unix:PATH} for a server's {@code --grpc_socket_path} (Linux).
 */
final class LoadChannels {
    static final String UNIX_PREFIX = "unix:";
    /** The encodings a call may ask for ({@link GrpcInferenceCall#compression}): grpc-java's gzip, and deflate. */
    private static final CompressorRegistry COMPRESSORS = CompressorRegistry.newEmptyInstance();

    static {
        COMPRESSORS.register(new Codec.Gzip());
        COMPRESSORS.register(new DeflateCodec());
    }

    private LoadChannels() {
    }

    /**
     * Opens a channel to {@code target}.
     *
     * @throws IllegalArgumentException naming the target when it is neither {@code host:port} nor {@code unix:PATH},
     *     or is a socket where epoll is not available
     */
    static ManagedChannel open(final String target) {
        return builder(target)
                .usePlaintext()
                .compressorRegistry(COMPRESSORS)
                .directExecutor()
                .disableRetry()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    private static NettyChannelBuilder builder(final String target) {
        if (target.startsWith(UNIX_PREFIX)) {
            if (!Epoll.isAvailable()) {
                throw new IllegalArgumentException("gRPC target " + target
                        + ": UNIX domain sockets need Netty's native epoll transport (Linux)");
            }
            return NettyChannelBuilder.forAddress(new DomainSocketAddress(target.substring(UNIX_PREFIX.length())))
                    .eventLoopGroup(SocketLoops.GROUP)
                    .channelType(EpollDomainSocketChannel.class);
        }
        final int colon = target.lastIndexOf(':');
        final int port;
        try {
            port = colon > 0 ? Integer.parseInt(target.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gRPC target " + target + ": expected host:port or unix:PATH", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gRPC target " + target + ": expected host:port or unix:PATH");
        }
        return NettyChannelBuilder.forAddress(target.substring(0, colon), port);
    }

    /** The event loops of socket channels, made on first use; daemon threads, so they never hold the JVM. */
    private static final class SocketLoops {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory("loadtest-grpc-unix", true), EpollIoHandler.newFactory());
    }
}
