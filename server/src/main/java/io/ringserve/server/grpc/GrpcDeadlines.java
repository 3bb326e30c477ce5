package io.ringserve.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** The current gRPC call's deadline on a {@link System#nanoTime()}-style clock. Stateless. */
final class GrpcDeadlines {
    /** The longest a call without a deadline may wait, so that deadline arithmetic never overflows. */
    private static final long NO_DEADLINE_NANOS = TimeUnit.DAYS.toNanos(365);

    private GrpcDeadlines() {
    }

    /** When the current call's deadline passes on {@code clock}; a year from now when it has none. */
    static long deadlineNanos(final LongSupplier clock) {
        final Deadline deadline = Context.current().getDeadline();
        final long remaining = deadline == null ? NO_DEADLINE_NANOS
                : Math.min(NO_DEADLINE_NANOS, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        return clock.getAsLong() + remaining;
    }
}
