package io.ringserve.server.rest;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of a server's REST listeners, so that a shutdown can drain them without refusing a request
 * a client has already sent. After {@link #drain()}, an idle keep-alive connection closes once it stays quiet (a
 * request sent as the drain began is answered, {@link IdleConnectionCloser#DRAIN_QUIET}), and a connection
 * with requests being answered answers every request it has read and then closes (its last answer says
 * {@code Connection: close}), so its client reconnects, to another replica behind a load balancer, instead of
 * sending more to a server that is going away. Each connection's {@link IdleConnectionCloser} does the closing when
 * it receives {@link #DRAIN} as a user event.
 *
 * <p>Thread-safe: connections come and go on their event loops, {@link #drain} and {@link #awaitClosed} are called
 * from the thread that shuts the server down.
 */
public final class RestConnections {
    /** The user event each connection receives, on its event loop, when draining starts or when it opens during it. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "RestConnections.DRAIN";
        }
    };

    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    /** Tracks {@code channel} until it closes; one that opens while draining is told to drain at once. */
    void add(final Channel channel) {
        open.add(channel);
        channel.closeFuture().addListener(closed -> {
            open.remove(channel);
            if (open.isEmpty()) {
                synchronized (this) {
                    notifyAll();
                }
            }
        });
        if (draining) {
            tellToDrain(channel);
        }
    }

    /** Starts draining every open connection (see the class comment); returns at once. Idempotent. */
    public void drain() {
        draining = true;
        open.forEach(RestConnections::tellToDrain);
    }

    private static void tellToDrain(final Channel channel) {
        channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(DRAIN));
    }

    /**
     * Blocks until every connection has closed or {@code timeout} has passed.
     *
     * @return true if none is open
     */
    public boolean awaitClosed(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!open.isEmpty()) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /** The connections open now. */
    public int size() {
        return open.size();
    }
}
