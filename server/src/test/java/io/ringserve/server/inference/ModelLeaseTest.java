package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.LoadedModel;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.TestData;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A lease holds its version from resolution until its block ends, or until the work it was handed completes. */
class ModelLeaseTest {
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        model = new SavedModelLoader(SessionOptions.DEFAULTS).load("half_plus_two", 123,
                TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aBlockThatFailsBeforeHandingItOverShouldGiveTheVersionBack() {
        assertThatThrownBy(() -> {
            try (ModelLease lease = new ModelLease(model)) {
                assertThat(lease.model().users()).isEqualTo(1);
                throw new IllegalArgumentException("bad input");
            }
        }).hasMessage("bad input");
        assertThat(model.users()).isZero();
    }

    @Test
    void handedOverShouldHoldTheVersionUntilTheWorkCompletesEitherWay() {
        final CompletableFuture<String> answered = new CompletableFuture<>();
        final CompletableFuture<String> failed = new CompletableFuture<>();
        try (ModelLease first = new ModelLease(model); ModelLease second = new ModelLease(model)) {
            assertThat(first.until(answered)).isSameAs(answered);
            second.until(failed);
        }
        assertThat(model.users()).as("held past the block").isEqualTo(2);
        answered.complete("y");
        assertThat(model.users()).isEqualTo(1);
        failed.completeExceptionally(new IllegalStateException("cancelled"));
        assertThat(model.users()).isZero();
    }

    @Test
    void aLeaseShouldBeHandedOverOnlyOnce() {
        final CompletableFuture<String> work = new CompletableFuture<>();
        try (ModelLease lease = new ModelLease(model)) {
            lease.until(work);
            assertThatThrownBy(() -> lease.until(new CompletableFuture<>()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already handed over");
        }
        assertThat(model.users()).isEqualTo(1);
        work.complete("y");
        assertThat(model.users()).isZero();
    }
}
