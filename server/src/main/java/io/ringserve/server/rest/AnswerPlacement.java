package io.ringserve.server.rest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.AnswerHandoff;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * How a REST request is answered once its model call is done ({@link #answerWithin}): within the request's time, and
 * built on the request's executor (its connection's event loop), or, when its tensors hold {@code largeAnswerBytes}
 * or more, on one of the {@code workers}: writing a large answer as JSON takes milliseconds (a 5-million-float mask
 * about a tenth of a second) that every other connection of the loop would wait. The size is checked on the request's
 * executor, so a small answer costs one comparison more. Thread-safe.
 */
public final class AnswerPlacement {
    /** About 64 KiB of tensors is 200 KB of JSON, a millisecond of encoding. */
    public static final long DEFAULT_LARGE_ANSWER_BYTES = 64 << 10;

    private final EventExecutorGroup workers;
    private final long largeAnswerBytes;

    public AnswerPlacement(final EventExecutorGroup workers, final long largeAnswerBytes) {
        this.workers = Objects.requireNonNull(workers, "workers");
        this.largeAnswerBytes = largeAnswerBytes;
    }

    /** About the bytes of {@code tensors}' data, what their JSON grows with (a string counts 8). */
    public static long bytesOf(final Map<String, HostTensor> tensors) {
        long bytes = 0;
        for (HostTensor tensor : tensors.values()) {
            bytes += tensor.dtype() == DType.STRING ? tensor.numElements() * 8 : tensor.data().remaining();
        }
        return bytes;
    }

    /**
     * Answers with {@code respond} once {@code result} completes, or with 504 when {@code timeoutNanos} pass first
     * (which also completes {@code result}, so that queued work is dropped). The timeout runs on {@code executor}, and
     * the answer is built there (through {@link AnswerHandoff}: a batch's answers reach each event loop together), or
     * on a worker when {@code answerBytes} of the result says it is large. Failures are answered with
     * {@code responses}' error.
     *
     * @param executor the request's executor (see {@link HttpRouter})
     */
    <T> CompletableFuture<FullHttpResponse> answerWithin(final CompletableFuture<T> result, final long timeoutNanos,
                                                         final EventExecutor executor, final ByteBufAllocator alloc,
                                                         final RestResponses responses,
                                                         final ToLongFunction<T> answerBytes,
                                                         final Function<T, FullHttpResponse> respond) {
        final ScheduledFuture<?> timeout = executor.schedule(() -> result.completeExceptionally(
                new ServingException(StatusCode.DEADLINE_EXCEEDED, "Request timed out after "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms")),
                timeoutNanos, TimeUnit.NANOSECONDS);
        return result.handleAsync((value, failure) -> {
            timeout.cancel(false);
            if (failure != null) {
                return CompletableFuture.completedFuture(responses.error(alloc, failure));
            }
            return isLarge(answerBytes.applyAsLong(value))
                    ? buildOnWorker(() -> respond.apply(value))
                    : CompletableFuture.completedFuture(respond.apply(value));
        }, AnswerHandoff.to(executor)).thenCompose(Function.identity());
    }

    /** Whether an answer of {@code answerBytes} is built on a worker. */
    boolean isLarge(final long answerBytes) {
        return answerBytes >= largeAnswerBytes;
    }

    /** Runs {@code build} on a worker; its answer, or its failure, completes the future returned. */
    <R> CompletableFuture<R> buildOnWorker(final Supplier<R> build) {
        final CompletableFuture<R> answer = new CompletableFuture<>();
        try {
            workers.next().execute(() -> {
                try {
                    answer.complete(build.get());
                } catch (RuntimeException | Error e) {
                    // An Error too (an answer too large for the heap): a worker's executor would only log it, and
                    // the request would never be answered.
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }
}
