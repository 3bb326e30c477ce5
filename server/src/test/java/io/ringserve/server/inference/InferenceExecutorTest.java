package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.ModelExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InferenceExecutorTest {
    private final AtomicLong now = new AtomicLong(1_000);
    /** One worker and room for one waiting request: easy to fill. */
    private final InferenceExecutor executor = new InferenceExecutor(1, 1, now::get);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        executor.close();
    }

    /** Occupies the single worker until {@link #release} opens; returns once the worker has started it. */
    private CompletableFuture<String> blockWorker() throws InterruptedException {
        final CountDownLatch started = new CountDownLatch(1);
        final CompletableFuture<String> blocker = executor.submit(() -> {
            started.countDown();
            await(release);
            return "blocker";
        }, Long.MAX_VALUE);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        return blocker;
    }

    private static void await(final CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldRunWorkAndCompleteTheFuture() throws Exception {
        assertThat(executor.submit(() -> 42, Long.MAX_VALUE).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void shouldRejectAtOnceWhenTheQueueIsFull() throws Exception {
        final CompletableFuture<String> blocker = blockWorker();
        final CompletableFuture<String> queued = executor.submit(() -> "queued", Long.MAX_VALUE);
        final CompletableFuture<String> rejected = executor.submit(() -> "rejected", Long.MAX_VALUE);
        assertThat(rejected).isCompletedExceptionally();
        assertThatThrownBy(rejected::get).hasCauseInstanceOf(ServingException.class)
                .satisfies(e -> assertThat(((ServingException) e.getCause()).code()).isEqualTo(StatusCode.UNAVAILABLE));
        release.countDown();
        assertThat(blocker.get(10, TimeUnit.SECONDS)).isEqualTo("blocker");
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");
    }

    @Test
    void shouldDropWorkWhoseDeadlinePassedWhileQueued() throws Exception {
        blockWorker();
        final AtomicBoolean ran = new AtomicBoolean();
        final CompletableFuture<String> late = executor.submit(() -> {
            ran.set(true);
            return "late";
        }, now.get() + 10);
        now.addAndGet(11);
        release.countDown();
        final ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> late.get(10, TimeUnit.SECONDS));
        assertThat(((ServingException) failure.getCause()).code()).isEqualTo(StatusCode.DEADLINE_EXCEEDED);
        assertThat(ran).isFalse();
    }

    @Test
    void shouldNotRunWorkWhoseFutureWasCompletedWhileQueued() throws Exception {
        blockWorker();
        final AtomicBoolean ran = new AtomicBoolean();
        final CompletableFuture<String> cancelled = executor.submit(() -> {
            ran.set(true);
            return "x";
        }, Long.MAX_VALUE);
        cancelled.completeExceptionally(new ServingException(StatusCode.CANCELLED, "gone"));
        release.countDown();
        executor.shutdown(10_000); // runs (and so skips) everything queued before it returns
        assertThat(ran).isFalse();
    }

    @Test
    void shouldMapModelErrorsToStatusCodes() {
        final CompletableFuture<Object> invalid = executor.submit(() -> {
            throw new ModelExecutionException(ModelExecutionException.Kind.INVALID_ARGUMENT, "bad shape");
        }, Long.MAX_VALUE);
        assertThatThrownBy(() -> invalid.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ServingException.class)
                .satisfies(e -> assertThat(((ServingException) e.getCause()).code())
                        .isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessageContaining("bad shape");
        final CompletableFuture<Object> crash = executor.submit(() -> {
            throw new IllegalStateException("boom");
        }, Long.MAX_VALUE);
        assertThatThrownBy(() -> crash.get(10, TimeUnit.SECONDS)).hasMessageContaining("boom")
                .satisfies(e -> assertThat(((ServingException) e.getCause()).code()).isEqualTo(StatusCode.INTERNAL));
    }
}
