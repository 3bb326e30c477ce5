package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A failure from outside reaches the work a future was derived from; the work's own outcome is not overwritten. */
class FailureFlowsBackTest {
    @Test
    void failingAnAllOfShouldFailEveryTasksWorkNotYetDone() {
        final CompletableFuture<String> done = CompletableFuture.completedFuture("classified");
        final CompletableFuture<String> queued = new CompletableFuture<>();
        final CompletableFuture<Void> all = FailureFlowsBack.to(List.of(done, queued),
                CompletableFuture.allOf(done, queued));
        all.completeExceptionally(new IllegalStateException("cancelled"));
        assertThat(queued).isCompletedExceptionally();
        assertThat(done).isCompletedWithValue("classified");
    }

    @Test
    void aDerivedFutureThatSucceedsShouldLeaveItsSourceAlone() {
        final CompletableFuture<Integer> source = new CompletableFuture<>();
        final CompletableFuture<Integer> derived = FailureFlowsBack.to(source, source.thenApply(v -> v + 1));
        source.complete(1);
        assertThat(derived).isCompletedWithValue(2);
        assertThat(source).isCompletedWithValue(1);
    }
}
