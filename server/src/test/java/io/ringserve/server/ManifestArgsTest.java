package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.server.grpc.GrpcChannelArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The server arguments the Kubernetes manifests in {@code k8s/} pass are ones this server takes: each container's
 * {@code args} list goes through the real command line, so a renamed or mistyped flag fails here, not in a pod.
 */
class ManifestArgsTest {
    private static final Path K8S = Path.of("..", "k8s");

    @TempDir
    Path dir;

    @Test
    void theDeploymentsArgsShouldParseWithTheBatchingFileItsConfigMapHolds() throws IOException {
        final Path batching = Files.writeString(dir.resolve("batching_parameters.txt"),
                blockAfter(K8S.resolve("base/batching-configmap.yaml"), "batching_parameters.txt: |"));
        final List<String> args = args(K8S.resolve("base/deployment.yaml")).stream()
                .map(arg -> arg.replace("/etc/ringserve/batching_parameters.txt", batching.toString()))
                .toList();

        final ServerConfig config = parse(args);

        assertThat(config.batching().enabled()).isTrue();
        assertThat(config.batching().defaults().maxBatchSize()).isEqualTo(64);
        assertThat(config.batching().defaults().numBatchThreads()).isEqualTo(2);
        assertThat(config.grpcChannelArguments().settings())
                .containsEntry(GrpcChannelArguments.Setting.MAX_CONNECTION_AGE, 300_000L)
                .containsEntry(GrpcChannelArguments.Setting.MAX_CONNECTION_AGE_GRACE, 30_000L);
        assertThat(config.grpcChannelArguments().ignored()).isEmpty();
    }

    @Test
    void theKServeServingRuntimesArgsShouldParse() throws IOException {
        final List<String> args = args(K8S.resolve("kserve-runtime/servingruntime.yaml")).stream()
                .map(arg -> arg.replace("{{.Name}}", "my-model")) // KServe's template for the model's name
                .toList();

        final ServerConfig config = parse(args);

        assertThat(config.models()).extracting(ModelConfig::name).containsExactly("my-model");
        assertThat(config.restPort()).isEqualTo(8080);
        assertThat(config.batching().enabled()).isTrue();
    }

    private static ServerConfig parse(final List<String> args) {
        final ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        return command.toConfig(Map.of());
    }

    /** The items of the first {@code args:} list in a manifest. */
    private static List<String> args(final Path manifest) throws IOException {
        final List<String> lines = Files.readAllLines(manifest);
        final List<String> args = new ArrayList<>();
        int indent = -1;
        for (String line : lines) {
            final String trimmed = line.strip();
            if (indent < 0) {
                if (trimmed.equals("args:")) {
                    indent = line.indexOf('a');
                }
            } else if (trimmed.startsWith("#")) {
                continue;
            } else if (trimmed.startsWith("- ") && line.indexOf('-') > indent) {
                args.add(trimmed.substring(2).strip());
            } else {
                break;
            }
        }
        assertThat(args).as("args in " + manifest).isNotEmpty();
        return args;
    }

    /** The lines of a YAML block scalar ({@code key: |}), without their indentation. */
    private static String blockAfter(final Path manifest, final String key) throws IOException {
        final StringBuilder block = new StringBuilder();
        boolean inside = false;
        int indent = -1;
        for (String line : Files.readAllLines(manifest)) {
            if (!inside) {
                inside = line.strip().equals(key);
                indent = line.indexOf(key.charAt(0));
            } else if (line.isBlank() || line.indexOf(line.strip()) > indent) {
                block.append(line.strip()).append('\n');
            } else {
                break;
            }
        }
        assertThat(block).as(key + " in " + manifest).isNotEmpty();
        return block.toString();
    }
}
