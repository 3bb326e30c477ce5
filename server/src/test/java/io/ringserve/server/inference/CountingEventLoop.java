package io.ringserve.server.inference;

import io.netty.channel.DefaultEventLoop;
import java.util.concurrent.atomic.AtomicInteger;

/** A real Netty event loop (no channels) that counts the tasks it is given, for hand-off tests. */
final class CountingEventLoop extends DefaultEventLoop {
    final AtomicInteger executes = new AtomicInteger();

    @Override
    public void execute(final Runnable task) {
        executes.incrementAndGet();
        super.execute(task);
    }
}
