package io.ringserve.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What the gRPC services' unary inference calls share: the call's deadline on a {@link System#nanoTime()}-style
 * clock, and answering a call from the future of its model work. Stateless.
 */
final class GrpcCalls {
    /** The longest a call without a deadline may wait, so that deadline arithmetic never overflows. */
    private static final long NO_DEADLINE_NANOS = TimeUnit.DAYS.toNanos(365);

    private GrpcCalls() {
    }

    /** When the current call's deadline passes on {@code clock}; a year from now when it has none. */
    static long deadlineNanos(final LongSupplier clock) {
        final Deadline deadline = Context.current().getDeadline();
        final long remaining = deadline == null ? NO_DEADLINE_NANOS
                : Math.min(NO_DEADLINE_NANOS, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        return clock.getAsLong() + remaining;
    }

    /**
     * Sends {@code response} of {@code result} on {@code executor} when it completes, or its failure as a status; a
     * cancelled call completes {@code result} early, so that queued work is dropped.
     */
    static <T, R> void answer(final CompletableFuture<T> result, final StreamObserver<R> observer,
                              final Function<T, R> response, final Executor executor) {
        if (observer instanceof ServerCallStreamObserver<R> call) {
            call.setOnCancelHandler(() -> result.completeExceptionally(new ServingException(
                    StatusCode.CANCELLED, "The client cancelled the call")));
        }
        result.whenCompleteAsync((value, failure) -> {
            if (failure != null) {
                observer.onError(GrpcStatuses.toStatus(failure));
                return;
            }
            final R built;
            try {
                built = response.apply(value);
            } catch (RuntimeException e) {
                observer.onError(GrpcStatuses.toStatus(e));
                return;
            }
            observer.onNext(built);
            observer.onCompleted();
        }, executor);
    }
}
