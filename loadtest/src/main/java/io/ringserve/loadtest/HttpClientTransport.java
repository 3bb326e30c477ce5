package io.ringserve.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the REST load generators share: one event-loop thread on epoll where it is available (NIO otherwise), and
 * requests encoded once, head and body, so that the generator costs as little per request as wrk does.
 */
final class HttpClientTransport {
    private HttpClientTransport() {
    }

    /** A group of one event loop. */
    static EventLoopGroup oneEventLoop() {
        return new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The socket channel class that goes with {@link #oneEventLoop()}. */
    static Class<? extends Channel> socketChannel() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Opens a connection to {@code target} in place of one that closed, on {@code loop}, and hands it to
     * {@code connected}; while the server refuses, tells {@code refused} and tries again every 100 ms. Stops, closing
     * what it opened, once {@code running} says so.
     */
    static void reconnect(final Bootstrap bootstrap, final URI target, final EventLoop loop,
                          final BooleanSupplier running, final Consumer<Channel> connected, final Runnable refused) {
        bootstrap.connect(target.getHost(), target.getPort()).addListener((ChannelFutureListener) attempt -> {
            if (!running.getAsBoolean()) {
                attempt.channel().close();
            } else if (attempt.isSuccess()) {
                connected.accept(attempt.channel());
            } else {
                refused.run();
                loop.schedule(() -> reconnect(bootstrap, target, loop, running, connected, refused), 100,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The whole HTTP/1.1 POST of {@code body} to {@code target}, as bytes to write as they are. */
    static byte[] encodePost(final URI target, final byte[] body) {
        final byte[] head = ("POST " + target.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + target.getHost() + ":" + target.getPort() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }
}
