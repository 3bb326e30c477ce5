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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gRPC services' unary inference calls share: the call's deadline on a {@link System#nanoTime()}-style
 * clock, and answering a call from the future of its model work. Stateless.
 */
final class GrpcCalls {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcCalls.class);
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
        result.whenCompleteAsync((value, failure) -> send(value, failure, observer, response), executor);
    }

    /**
     * Answers the call. Whatever building or sending the answer throws, an {@link Error} such as
     * {@link OutOfMemoryError} included, the call is closed with a status: a future's callback that threw would
     * leave the client waiting for ever.
     */
    private static <T, R> void send(final T value, final Throwable failure, final StreamObserver<R> observer,
                                    final Function<T, R> response) {
        try {
            if (failure != null) {
                observer.onError(GrpcStatuses.toStatus(failure));
                return;
            }
            final R built = response.apply(value);
            observer.onNext(built);
            observer.onCompleted();
        } catch (RuntimeException | Error e) {
            LOG.warn("Could not send a gRPC answer; the call fails", e);
            try {
                observer.onError(GrpcStatuses.toStatus(e));
            } catch (RuntimeException alreadyClosed) {
                LOG.debug("The call was already closed", alreadyClosed);
            }
        }
    }
}
