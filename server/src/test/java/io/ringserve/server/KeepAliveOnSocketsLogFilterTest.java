package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Through Netty's own logger, as ServerBootstrap logs, into the JVM's logback context. */
class KeepAliveOnSocketsLogFilterTest {
    private static final String UNKNOWN_OPTION = "Unknown channel option '{}' for channel '{}' of type '{}'";

    @Test
    void shouldDropOnlyNettysKeepAliveWarningForUnixDomainSockets() {
        assumeTrue(Epoll.isAvailable(), "UNIX domain socket channels need Netty's native epoll transport");
        final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        final KeepAliveOnSocketsLogFilter filter = new KeepAliveOnSocketsLogFilter();
        filter.start();
        context.addTurboFilter(filter);
        final ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.setContext(context);
        logged.start();
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(logged);
        final Channel socket = new EpollDomainSocketChannel();
        final Channel tcp = new EpollSocketChannel();
        try {
            final InternalLogger bootstrap = InternalLoggerFactory.getInstance("io.netty.bootstrap.ServerBootstrap");
            bootstrap.warn(UNKNOWN_OPTION, ChannelOption.SO_KEEPALIVE, socket, socket.getClass()); // dropped
            bootstrap.warn(UNKNOWN_OPTION, ChannelOption.SO_RCVBUF, socket, socket.getClass());
            bootstrap.warn(UNKNOWN_OPTION, ChannelOption.SO_KEEPALIVE, tcp, tcp.getClass());
            bootstrap.warn("Failed to register an accepted channel: {}", socket);
            InternalLoggerFactory.getInstance("io.ringserve.elsewhere")
                    .warn(UNKNOWN_OPTION, ChannelOption.SO_KEEPALIVE, socket, socket.getClass());

            final List<String> kept = logged.list.stream()
                    .map(event -> event.getLoggerName() + ": " + event.getFormattedMessage()).toList();
            assertThat(kept).hasSize(4);
            assertThat(kept.get(0)).contains("SO_RCVBUF");
            assertThat(kept.get(1)).contains("SO_KEEPALIVE").contains("EpollSocketChannel");
            assertThat(kept.get(2)).contains("Failed to register");
            assertThat(kept.get(3)).startsWith("io.ringserve.elsewhere: ").contains("SO_KEEPALIVE");
        } finally {
            root.detachAppender(logged);
            context.getTurboFilterList().remove(filter);
            socket.unsafe().closeForcibly();
            tcp.unsafe().closeForcibly();
        }
    }
}
