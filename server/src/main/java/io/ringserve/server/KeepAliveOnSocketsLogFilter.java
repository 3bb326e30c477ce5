package io.ringserve.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.DomainSocketChannel;
import org.slf4j.Marker;

/**
 * Drops the one warning Netty logs for every connection accepted on {@code --grpc_socket_path}: grpc-java sets
 * {@code SO_KEEPALIVE} on each accepted channel, which a UNIX domain socket does not have, and Netty says so. It
 * means nothing there (there is no peer to probe across a network), so it is dropped; every other message, and this
 * one for any other option or channel, passes. Registered in {@code logback.xml}. Thread-safe (stateless).
 */
public final class KeepAliveOnSocketsLogFilter extends TurboFilter {
    private static final String NETTY_BOOTSTRAP = "io.netty.bootstrap.";
    private static final String UNKNOWN_KEEPALIVE = "Unknown channel option '" + ChannelOption.SO_KEEPALIVE + "'";

    @Override
    public FilterReply decide(final Marker marker, final Logger logger, final Level level, final String format,
                              final Object[] params, final Throwable t) {
        // Netty's SLF4J adapter for logback (location-aware) formats the message itself and passes no arguments.
        final boolean keepAliveOnSocket = format != null && format.startsWith(UNKNOWN_KEEPALIVE)
                && format.contains(DomainSocketChannel.class.getSimpleName())
                && logger.getName().startsWith(NETTY_BOOTSTRAP);
        return keepAliveOnSocket ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
