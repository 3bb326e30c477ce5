package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --model_config_file} end to end: a TF Serving ModelServerConfig listing TF Serving's test models (one pinned
 * to the older of its two versions by a {@code specific} policy, one with both versions and a label for each), read by
 * the command line and served by the real server.
 */
class ModelConfigFileIT {
    @TempDir
    static Path dir;
    private static RunningServer server;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        final Path file = Files.writeString(dir.resolve("models.config"), """
                model_config_list {
                  config {
                    name: "half_plus_two"
                    base_path: "%s"
                    model_platform: "tensorflow"
                  }
                  config {
                    name: "pinned"
                    base_path: "%s"
                    model_platform: "tensorflow"
                    model_version_policy { specific { versions: 123 } }
                  }
                  config {
                    name: "missing_version"
                    base_path: "%s"
                    model_version_policy { specific { versions: 7 } }
                  }
                  config {
                    name: "labelled"
                    base_path: "%s"
                    model_version_policy { all {} }
                    version_labels { key: "stable" value: 123 }
                    version_labels { key: "canary" value: 124 }
                  }
                }
                """.formatted(RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"),
                RunningServer.tfServingTestData("saved_model_half_plus_two_2_versions"),
                RunningServer.tfServingTestData("saved_model_half_plus_two_2_versions"),
                RunningServer.tfServingTestData("saved_model_half_plus_two_2_versions")));
        final ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs("--model_config_file=" + file);
        server = new RunningServer(ServerConfig.builder().models(command.toConfig(Map.of()).models()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldServeEveryModelOfTheFile() {
        final HttpResponse<String> response = server.post("/v1/models/half_plus_two:predict",
                "{\"instances\": [1.0, 2.0, 5.0]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("[2.5,3.0,4.5]");
    }

    @Test
    void shouldServeTheVersionASpecificPolicyNamesNotTheNewest() {
        final HttpResponse<String> status = server.get("/v1/models/pinned");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"version\" : \"123\"").contains("AVAILABLE").doesNotContain("124");
        assertThat(server.post("/v1/models/pinned/versions/123:predict", "{\"instances\": [1.0]}").statusCode())
                .isEqualTo(200);
        assertThat(server.post("/v1/models/pinned:predict", "{\"instances\": [1.0]}").statusCode())
                .isEqualTo(200);
        assertThat(server.post("/v1/models/pinned/versions/124:predict", "{\"instances\": [1.0]}").statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldServeEveryVersionOfAnAllPolicyAndTheirLabels() {
        assertThat(server.get("/v1/models/labelled").body()).contains("\"version\" : \"123\"")
                .contains("\"version\" : \"124\"");
        assertThat(server.get("/v1/models/labelled/labels/stable").body()).contains("\"version\" : \"123\"")
                .doesNotContain("124");
        assertThat(server.get("/v1/models/labelled/labels/canary/metadata").body())
                .contains("\"version\" : \"124\"");
        final HttpResponse<String> stable = server.post("/v1/models/labelled/labels/stable:predict",
                "{\"instances\": [1.0]}");
        assertThat(stable.statusCode()).isEqualTo(200);
        assertThat(stable.body()).contains("[2.5]");
        final HttpResponse<String> unknown = server.post("/v1/models/labelled/labels/beta:predict",
                "{\"instances\": [1.0]}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Unrecognized servable version label: beta");
    }

    @Test
    void shouldReportAPinnedVersionThatIsNotThereWithoutStoppingTheOthers() {
        final HttpResponse<String> status = server.get("/v1/models/missing_version");
        assertThat(status.statusCode()).isEqualTo(404);
        assertThat(status.body()).contains("Could not find any versions of model missing_version");
        assertThat(server.get("/v1/models/half_plus_two").body()).contains("AVAILABLE");
    }
}
