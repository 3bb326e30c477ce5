package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the start-up banner says: serving only when a model is. */
class BannerIT {
    private static String banner(final InferenceServer server) {
        final StringWriter text = new StringWriter();
        ServerCommand.printBanner(new PrintWriter(text), server);
        return text.toString();
    }

    @Test
    void aServerWithAModelAvailableShouldSaySoAndOneWithoutShouldNotClaimToServe(@TempDir final Path empty)
            throws Exception {
        try (RunningServer serving = RunningServer.serving(List.of(new ModelConfig("m",
                RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))))) {
            assertThat(banner(serving.server())).contains("ringserve is serving REST on")
                    .contains("model m: version 123 AVAILABLE");
        }
        try (RunningServer nothing = RunningServer.serving(List.of(new ModelConfig("m", empty)))) {
            assertThat(banner(nothing.server())).contains("ringserve is up REST on")
                    .contains("but no model is available (readiness answers 503 until one is)")
                    .contains("model m: NOT AVAILABLE");
        }
    }
}
