package io.ringserve.server.rest;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Where a REST answer is built once its model call is done: on the request's executor (its connection's event loop),
 * or, when its tensors hold {@code largeAnswerBytes} or more, on one of the {@code workers}: writing a large answer as
 * JSON takes milliseconds (a 5-million-float mask about a tenth of a second) that every other connection of the loop
 * would wait. The services ask on the request's executor, so a small answer costs one comparison more. Thread-safe.
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
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }
}
