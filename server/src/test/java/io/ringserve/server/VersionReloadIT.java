package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.models.ModelVersionsOnDisk;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A new version dropped into a served model's base path while clients keep calling: the real server loads it, moves
 * the traffic to it and unloads the old one, and not one request fails, with batching on and off.
 */
@Timeout(120)
class VersionReloadIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "batching {0}")
    @ValueSource(booleans = {false, true})
    void shouldLoseNoRequestWhileANewVersionReplacesTheOldOne(final boolean batching) throws Exception {
        final Path base = Files.createDirectories(dir.resolve("m"));
        final ModelVersionsOnDisk disk = new ModelVersionsOnDisk(base).add(1, "saved_model_half_plus_two_cpu");
        final ServerConfig.Builder config = ServerConfig.builder().models(List.of(new ModelConfig("m", base)));
        if (batching) {
            config.batching(new BatchingConfig(true, BatchingOptions.builder().build(), false));
        }
        try (RunningServer server = new RunningServer(config)) {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicInteger answered = new AtomicInteger();
            final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            final CountDownLatch started = new CountDownLatch(4);
            final List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                final Thread client = new Thread(() -> {
                    started.countDown();
                    while (!stop.get()) {
                        final HttpResponse<String> response = server.post("/v1/models/m:predict",
                                "{\"instances\": [1.0]}");
                        if (response.statusCode() == 200 && response.body().contains("2.5")) {
                            answered.incrementAndGet();
                        } else {
                            failures.add(response.statusCode() + " " + response.body());
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            started.await();
            disk.add(2, "saved_model_half_plus_two_tf2_cpu");
            final int before = answered.get();
            server.server().pollVersionsNow(); // loads 2, retires 1, waits for 1's requests, closes it
            final int during = answered.get() - before;
            final int after = answered.get();
            while (answered.get() < after + 20 && failures.isEmpty()) {
                Thread.sleep(1); // the clients need both cores more than this thread does
            }
            stop.set(true);
            for (Thread client : clients) {
                client.join();
            }
            assertThat(failures).isEmpty();
            assertThat(during).as("requests answered while the versions changed").isPositive();
            final String status = server.get("/v1/models/m").body();
            assertThat(status).contains("\"version\" : \"2\"").contains("AVAILABLE")
                    .contains("\"version\" : \"1\"").contains("END");
        }
    }
}
