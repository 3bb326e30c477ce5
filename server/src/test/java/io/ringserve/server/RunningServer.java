package io.ringserve.server;

import io.ringserve.models.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real {@link InferenceServer} on a free port, with a small HTTP client for tests. */
final class RunningServer implements AutoCloseable {
    private final InferenceServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    RunningServer(final ServerConfig.Builder config) throws InterruptedException {
        this(config, 0);
    }

    private RunningServer(final ServerConfig.Builder config, final int grpcPort) throws InterruptedException {
        this.server = new InferenceServer(config.restPort(ServerConfig.ANY_FREE_PORT).grpcPort(grpcPort)
                .bindAddress("127.0.0.1").build())
                .start();
    }

    /** A server with gRPC too, on a free port the system picks ({@link InferenceServer#grpcPort}). */
    static RunningServer withGrpc(final ServerConfig.Builder config) throws InterruptedException {
        return new RunningServer(config, ServerConfig.ANY_FREE_PORT);
    }

    static RunningServer serving(final List<ModelConfig> models) throws InterruptedException {
        return new RunningServer(ServerConfig.builder().models(models));
    }

    /** {@code testdata/tfserving/<name>} in the repository. */
    static Path tfServingTestData(final String name) {
        return TestData.tfServing(name);
    }

    InferenceServer server() {
        return server;
    }

    URI uri(final String path) {
        return URI.create("http://127.0.0.1:" + server.restPort() + path);
    }

    HttpResponse<String> get(final String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    HttpResponse<String> post(final String path, final String body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> send(final HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
