package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version whose load fails while its files stay as they were is tried again after the retry interval, up to the
 * retry count (TF Serving's --max_num_load_retries, --load_retry_interval_micros), on a clock the test moves.
 */
class LoadRetriesTest {
    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong();
    /** Warm-ups fail while this is above zero, one fewer each time. */
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger warmups = new AtomicInteger();
    private final ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS),
            model -> {
                warmups.incrementAndGet();
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new ModelLoadException("storage not ready yet");
                }
            }, LoadAttempts.NONE, new LoadRetries(2, Duration.ofSeconds(60), now::get));

    @AfterEach
    void close() {
        registry.close();
    }

    private void advanceSeconds(final long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void aTransientFailureShouldHealOnTheFirstPollAfterTheInterval() {
        new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        failuresLeft.set(1);
        final ServedModel model = registry.add("m", dir);
        registry.loadAll();
        assertThat(model.status(1).orElseThrow().error()).hasValueSatisfying(error -> assertThat(error)
                .contains("storage not ready yet"));
        advanceSeconds(59);
        registry.refresh();
        assertThat(warmups).as("not yet: the interval has not passed").hasValue(1);
        advanceSeconds(1);
        registry.refresh();
        assertThat(warmups).hasValue(2);
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.AVAILABLE);
    }

    @Test
    void aLastingFailureShouldBeTriedAsManyTimesAsAllowedThenLeft() {
        new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        failuresLeft.set(100);
        final ServedModel model = registry.add("m", dir);
        registry.loadAll();
        for (int poll = 0; poll < 5; poll++) {
            advanceSeconds(60);
            registry.refresh();
        }
        assertThat(warmups).as("the first attempt and two retries").hasValue(3);
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
    }

    @Test
    void changedFilesShouldBeTriedAtOnceAndCountAfresh() {
        final ModelVersionsOnDisk disk = new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        failuresLeft.set(100);
        registry.add("m", dir);
        registry.loadAll();
        advanceSeconds(60);
        registry.refresh();
        advanceSeconds(60);
        registry.refresh();
        assertThat(warmups).hasValue(3);
        disk.remove(1).add(1, "saved_model_half_plus_two_tf2_cpu");
        registry.refresh();
        assertThat(warmups).as("new files: tried at once, retries not used up").hasValue(4);
        advanceSeconds(60);
        registry.refresh();
        assertThat(warmups).hasValue(5);
    }

    @Test
    void retriesShouldBeNonNegative() {
        assertThatThrownBy(() -> new LoadRetries(-1, Duration.ZERO, System::nanoTime))
                .hasMessageContaining("max_num_load_retries must be >= 0");
        assertThatThrownBy(() -> new LoadRetries(1, Duration.ofSeconds(-1), System::nanoTime))
                .hasMessageContaining("load_retry_interval_micros must be >= 0");
    }
}
