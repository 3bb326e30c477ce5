package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Closing a version waits for the calls running in it, but not for ever: a call that never returns is left. */
class LoadedModelCloseTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void closeShouldGiveUpOnACallThatNeverReturnsAndRefuseCallsFromThenOn() throws Exception {
        final LoadedModel gated = new SavedModelLoader(SessionOptions.DEFAULTS).load("gated", 1,
                TestModels.writeGated(dir.resolve("gated")).resolve("1"));
        final SignatureSpec signature = gated.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        // Waits at the gate, which nothing opens: a call that never returns.
        final Thread stuck = new Thread(() -> gated.run(signature,
                Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 1f)), List.of("y")), "stuck-call");
        stuck.setDaemon(true);
        stuck.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gated.callsRunning() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gated.callsRunning()).isEqualTo(1);

        gated.close(Duration.ofMillis(200));

        assertThat(stuck.isAlive()).as("still at the gate").isTrue();
        assertThatThrownBy(() -> gated.run(signature, Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 1f)),
                List.of("y"))).isInstanceOf(ModelExecutionException.class)
                .hasMessageContaining("version 1 of model gated was unloaded");
    }

    @Test
    void closeShouldCloseAVersionWithNoCallRunningAtOnceAndTwiceHarmlessly() {
        final LoadedModel model = new SavedModelLoader(SessionOptions.DEFAULTS).load("m", 123,
                TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123"));
        model.close(Duration.ZERO);
        model.close();
        assertThatThrownBy(() -> model.run(model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow(),
                Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 1f)), List.of("y")))
                .isInstanceOf(ModelExecutionException.class).hasMessageContaining("was unloaded");
    }

    @Test
    void anInterruptedCallerShouldStillCloseAVersionNoCallHolds() {
        final LoadedModel model = new SavedModelLoader(SessionOptions.DEFAULTS).load("m", 123,
                TestData.tfServing("saved_model_half_plus_two_cpu").resolve("00000123"));
        Thread.currentThread().interrupt(); // a shutdown that was interrupted, closing what is left
        try {
            model.close();
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(model.callsRunning()).isZero();
        assertThat(model.sessionClosedForTest()).isTrue();
    }
}
