package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.SessionOptions;
import io.ringserve.server.codec.JsonFactories;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthRestServiceTest {
    private final ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
    private final AtomicBoolean draining = new AtomicBoolean();
    private final HealthRestService health = new HealthRestService(registry,
            new RestResponses(JsonFactories.tfServing(1 << 20)), draining::get);

    private static String answer(final FullHttpResponse response, final int status) {
        try {
            assertThat(response.status().code()).isEqualTo(status);
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void shouldBeReadyWhenEveryModelServesAndNotWhileShuttingDown() {
        assertThat(answer(health.ready(ByteBufAllocator.DEFAULT), 200)).isEqualTo("{\"ready\":true}");
        draining.set(true);
        assertThat(answer(health.ready(ByteBufAllocator.DEFAULT), 503)).contains("shutting down");
        assertThat(answer(health.live(ByteBufAllocator.DEFAULT), 200)).isEqualTo("{\"live\":true}");
    }

    @Test
    void shouldNameTheModelsThatAreNotReady() {
        registry.add("late", Path.of("/nonexistent"));
        assertThat(answer(health.ready(ByteBufAllocator.DEFAULT), 503)).contains("late");
    }
}
