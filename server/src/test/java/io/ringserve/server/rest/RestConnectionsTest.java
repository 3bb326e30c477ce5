package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Draining reaches every open connection, also one that opens while it goes on, and waits for all to close. */
class RestConnectionsTest {
    /** Records the user events a connection receives. */
    private static final class Events extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) {
            seen.add(evt);
        }
    }

    @Test
    void shouldTellEveryConnectionToDrainAndWaitForAllToClose() throws InterruptedException {
        final RestConnections connections = new RestConnections();
        final Events firstEvents = new Events();
        final Events secondEvents = new Events();
        final EmbeddedChannel first = new EmbeddedChannel(firstEvents);
        final EmbeddedChannel second = new EmbeddedChannel(secondEvents);
        connections.add(first);
        connections.add(second);
        first.runPendingTasks();
        assertThat(firstEvents.seen).as("nothing before the drain").isEmpty();

        connections.drain();
        first.runPendingTasks();
        second.runPendingTasks();
        assertThat(firstEvents.seen).containsExactly(RestConnections.DRAIN);
        assertThat(secondEvents.seen).containsExactly(RestConnections.DRAIN);

        final Events lateEvents = new Events();
        final EmbeddedChannel late = new EmbeddedChannel(lateEvents);
        connections.add(late);
        late.runPendingTasks();
        assertThat(lateEvents.seen).as("a connection opened while draining drains too")
                .containsExactly(RestConnections.DRAIN);

        first.close();
        late.close();
        assertThat(connections.size()).isEqualTo(1);
        assertThat(connections.awaitClosed(Duration.ofMillis(1))).as("one is still open").isFalse();
        second.close();
        assertThat(connections.awaitClosed(Duration.ZERO)).isTrue();
        assertThat(connections.size()).isZero();
    }
}
