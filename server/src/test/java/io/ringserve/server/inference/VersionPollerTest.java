package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelExecutionException;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.ModelState;
import io.ringserve.models.ModelVersionsOnDisk;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The poller on real SavedModels, with a sleeper that does not sleep and a request held by hand. */
class VersionPollerTest {
    @TempDir
    Path dir;
    private final ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
    private final DirectModelRunner runner = new DirectModelRunner(new InferenceExecutor(1, 8, System::nanoTime),
            (model, nanos) -> { });
    private final List<Duration> sleeps = new ArrayList<>();
    private final AtomicInteger polls = new AtomicInteger();
    private ModelVersionsOnDisk disk;
    private ServedModel model;

    @BeforeEach
    void loadVersionOne() {
        disk = new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        model = registry.add("m", dir);
        registry.loadAll();
    }

    @AfterEach
    void close() throws InterruptedException {
        runner.shutdown(Duration.ofSeconds(1));
        registry.close();
    }

    private static float predict(final LoadedModel version) {
        final SignatureSpec signature = version.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        return version.run(signature, Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 1f)), List.of("y"))
                .get("y").floatAt(0);
    }

    @Test
    void shouldCloseARetiredVersionOnlyOnceNoRequestHoldsIt() throws InterruptedException {
        final LoadedModel one = model.latest().orElseThrow();
        one.acquire(); // a request that found version 1 and is not answered yet
        disk.add(2, "saved_model_half_plus_two_tf2_cpu");
        final VersionPoller poller = new VersionPoller(registry, runner, Duration.ofSeconds(1), Duration.ofSeconds(25),
                polls::incrementAndGet, duration -> {
                    sleeps.add(duration);
                    if (sleeps.size() == 3) {
                        assertThat(model.latest().orElseThrow().version()).isEqualTo(2);
                        assertThat(predict(one)).as("still open while held").isEqualTo(2.5f);
                        one.release(); // answered
                    }
                });
        poller.pollNow();
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(10));
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
        assertThatThrownBy(() -> predict(one)).isInstanceOf(ModelExecutionException.class);
        assertThat(polls).hasValue(1);
    }

    @Test
    void shouldCloseARetiredVersionAfterTheDrainTimeoutWhenARequestNeverLetsGo() throws InterruptedException {
        final LoadedModel one = model.latest().orElseThrow();
        one.acquire();
        disk.add(2, "saved_model_half_plus_two_tf2_cpu");
        new VersionPoller(registry, runner, Duration.ZERO, Duration.ofMillis(50), polls::incrementAndGet,
                sleeps::add).pollNow();
        assertThat(sleeps).hasSize(1 + 5);
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
    }

    @Test
    void versionsRetiredTogetherShouldDrainTogether(@TempDir final Path other) throws InterruptedException {
        final ModelVersionsOnDisk otherDisk = new ModelVersionsOnDisk(other).add(1, "saved_model_half_plus_two_cpu");
        final ServedModel second = registry.add("n", other);
        registry.loadAll();
        final LoadedModel mOne = model.latest().orElseThrow();
        final LoadedModel nOne = second.latest().orElseThrow();
        mOne.acquire();
        nOne.acquire();
        disk.add(2, "saved_model_half_plus_two_tf2_cpu");
        otherDisk.add(2, "saved_model_half_plus_two_tf2_cpu");
        new VersionPoller(registry, runner, Duration.ofSeconds(1), Duration.ofSeconds(25), polls::incrementAndGet,
                duration -> {
                    sleeps.add(duration);
                    if (sleeps.size() == 2) {
                        mOne.release();
                    } else if (sleeps.size() == 3) {
                        nOne.release();
                    }
                }).pollNow();
        assertThat(sleeps).as("one grace period for both, then until neither is held")
                .containsExactly(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(10));
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
        assertThat(second.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
        assertThat(second.latest().orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void aLongDrainShouldNotHoldUpTheNextPoll() throws Exception {
        final LoadedModel one = model.latest().orElseThrow();
        one.acquire(); // held until the test lets go
        disk.add(2, "saved_model_half_plus_two_tf2_cpu");
        final CountDownLatch stillDraining = new CountDownLatch(1);
        final Semaphore polled = new Semaphore(0);
        final VersionPoller poller = new VersionPoller(registry, runner, Duration.ZERO, Duration.ofSeconds(25),
                polled::release, duration -> {
                    if (duration.equals(Duration.ofMillis(10)) && one.users() > 0) {
                        stillDraining.await(); // the drain of version 1 goes on until the test lets it
                    }
                });
        try {
            final var firstRetirement = poller.submit(registry::refresh);
            assertThat(polled.tryAcquire(10, TimeUnit.SECONDS)).as("first poll: 2 loaded, 1 retired").isTrue();
            assertThat(model.latest().orElseThrow().version()).isEqualTo(2);
            disk.add(3, "saved_model_half_plus_two_cpu");
            poller.submit(registry::refresh); // loads 3 and retires 2, which waits behind version 1's drain
            assertThat(polled.tryAcquire(10, TimeUnit.SECONDS)).as("the second poll ran during the drain").isTrue();
            assertThat(model.latest().orElseThrow().version()).isEqualTo(3);
            assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.UNLOADING);
            assertThat(firstRetirement).isNotDone();
            one.release();
            stillDraining.countDown();
            firstRetirement.get(10, TimeUnit.SECONDS);
            assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
        } finally {
            stillDraining.countDown();
            poller.close();
        }
        assertThat(model.status(2).orElseThrow().state()).isEqualTo(ModelState.END);
    }

    @Test
    void shouldCountRequestsInFlightThroughTheRunner() throws Exception {
        final LoadedModel one = model.latest().orElseThrow();
        final SignatureSpec signature = one.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        final var answer = runner.run(one, signature, Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 1f)),
                List.of("y"), System.nanoTime() + Duration.ofSeconds(10).toNanos());
        answer.get();
        // The runner lets go of the version in a completion action of the answer, which may run just after get().
        for (int i = 0; i < 500 && one.users() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(one.users()).isZero();
    }
}
