package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --model_config_file} read again while the real server runs: models come and go, policies change. */
class ModelConfigReloadIT {
    private static final String HALF_PLUS_TWO = RunningServer.tfServingTestData("saved_model_half_plus_two_cpu")
            .toString();
    private static final String TWO_VERSIONS = RunningServer.tfServingTestData("saved_model_half_plus_two_2_versions")
            .toString();

    @TempDir
    Path dir;

    @Test
    void shouldAddDropAndReconfigureModelsAsTheFileChanges() throws Exception {
        final Path file = dir.resolve("models.config");
        Files.writeString(file, "model_config_list { config { name: 'a' base_path: '" + HALF_PLUS_TWO + "' } }");
        final ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs("--model_config_file=" + file, "--model_config_file_poll_wait_seconds=0");
        final ServerConfig parsed = command.toConfig(Map.of());
        try (RunningServer server = new RunningServer(ServerConfig.builder().models(parsed.models())
                .modelConfigFile(file, 0))) {
            assertThat(server.post("/v1/models/a:predict", "{\"instances\": [1.0]}").statusCode()).isEqualTo(200);

            // b arrives, a goes.
            write(file, "config { name: 'b' base_path: '" + TWO_VERSIONS + "' }");
            server.server().reloadModelConfigNow();
            assertThat(server.post("/v1/models/b:predict", "{\"instances\": [1.0]}").body()).contains("2.5");
            assertThat(server.get("/v1/models/b").body()).contains("\"version\" : \"124\"");
            assertThat(server.post("/v1/models/a:predict", "{\"instances\": [1.0]}").statusCode()).isEqualTo(404);
            final String metrics = server.get("/metrics").body();
            assertThat(metrics).contains("inference_model_available{model=\"b\"} 1.0")
                    .doesNotContain("inference_model_available{model=\"a\"}");

            // b now pinned to 123, with a label for it: 123 loads, 124 is retired.
            write(file, "config { name: 'b' base_path: '" + TWO_VERSIONS + "' model_version_policy { specific {"
                    + " versions: 123 } } version_labels { key: 'stable' value: 123 } }");
            server.server().reloadModelConfigNow();
            final String status = server.get("/v1/models/b").body();
            assertThat(status).contains("\"version\" : \"123\"");
            assertThat(server.get("/v1/models/b/versions/124").body()).contains("END");
            assertThat(server.post("/v1/models/b/labels/stable:predict", "{\"instances\": [1.0]}").statusCode())
                    .isEqualTo(200);

            // b moves to another base path: its new versions load while the old ones serve, then take over.
            write(file, "config { name: 'b' base_path: '" + HALF_PLUS_TWO + "' version_labels { key: 'stable' "
                    + "value: 123 } }");
            server.server().reloadModelConfigNow();
            assertThat(server.post("/v1/models/b/labels/stable:predict", "{\"instances\": [1.0]}").body())
                    .contains("2.5");
            assertThat(server.get("/v1/models/b").body()).contains("\"version\" : \"123\"")
                    .contains("AVAILABLE").doesNotContain("124");
            assertThat(server.get("/metrics").body()).contains("inference_model_available{model=\"b\"} 1.0");

            // A file that does not parse changes nothing.
            Files.writeString(file, "model_config_list { config { name: ");
            server.server().reloadModelConfigNow();
            assertThat(server.post("/v1/models/b/labels/stable:predict", "{\"instances\": [1.0]}").statusCode())
                    .isEqualTo(200);
        }
    }

    private static void write(final Path file, final String configs) throws IOException {
        Files.writeString(file, "model_config_list { " + configs + " }");
    }
}
