package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HTTP-level answers of the real REST port, in the statuses HTTP has for them and TF Serving's {@code {"error"}}
 * JSON: 414 for a request line over Netty's 4096 bytes, 431 for header fields over its 8192 bytes (both closing the
 * connection), 405 with {@code Allow} for the health probes and the metrics asked with another method than GET or
 * HEAD, and a request target in absolute form routed by its path.
 */
@Timeout(60)
class RestHttpStatusIT {
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = RunningServer.serving(List.of(new ModelConfig("m",
                RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawHttpConnection connect() throws IOException {
        return new RawHttpConnection(server.server().restPort());
    }

    @Test
    void aUrlOverTheLimitShouldBeAnswered414AndItsConnectionClosed() throws IOException {
        try (RawHttpConnection connection = connect()) {
            connection.send("GET /v1/models/" + "m".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            final RawHttpConnection.Response answer = connection.read();
            assertThat(answer.status()).isEqualTo(414);
            assertThat(answer.headers()).containsEntry("content-type", "application/json");
            assertThat(answer.body()).isEqualTo("{\"error\":\"The request line (method, URI and version) is too long: "
                    + "An HTTP line is larger than 4096 bytes.\"}");
            assertThat(connection.closedByServer()).isTrue();
        }
        assertThat(server.get("/v1/models/m").statusCode()).as("the server goes on").isEqualTo(200);
    }

    @Test
    void headerFieldsOverTheLimitShouldBeAnswered431AndTheirConnectionClosed() throws IOException {
        try (RawHttpConnection connection = connect()) {
            connection.send("GET /v1/models/m HTTP/1.1\r\nHost: x\r\nCookie: " + "c".repeat(9000) + "\r\n\r\n");
            final RawHttpConnection.Response answer = connection.read();
            assertThat(answer.status()).isEqualTo(431);
            assertThat(answer.body()).isEqualTo("{\"error\":\"The request's header fields are too large: "
                    + "HTTP header is larger than 8192 bytes.\"}");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource({"POST, /v2/health/ready", "PUT, /v2/health/live", "DELETE, /v2/health/ready", "POST, /metrics"})
    void aProbeOrTheMetricsAskedWithAnotherMethodShouldBeAnswered405WithAllow(final String method,
                                                                              final String path) {
        final HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri(path))
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(response.body()).isEqualTo("{\"error\":\"" + method + " " + path
                + " is not served; use GET, HEAD\"}");
    }

    @Test
    void aPathNoServiceHasShouldStillBe404() {
        final HttpResponse<String> response = server.post("/v2/health/nothing", "{}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Allow")).isEmpty();
    }

    @Test
    void aRequestTargetInAbsoluteFormShouldBeRoutedByItsPath() throws IOException {
        try (RawHttpConnection connection = connect()) {
            connection.send("GET http://x/v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST http://x:8501/v1/models/m:predict?trace=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n"
                    + "{\"instances\": [1.0]}");
            final RawHttpConnection.Response ready = connection.read();
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"ready\":true}");
            final RawHttpConnection.Response predict = connection.read();
            assertThat(predict.status()).isEqualTo(200);
            assertThat(predict.body().replaceAll("\\s", "")).isEqualTo("{\"predictions\":[2.5]}");
        }
    }
}
