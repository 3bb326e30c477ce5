package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --rest_api_enable_cors_support} on the real REST port, and its absence by default. */
@Timeout(60)
class RestCorsIT {
    private static final String PREDICT = "/v1/models/default:predict";

    private static RunningServer server(final boolean cors) throws InterruptedException {
        return new RunningServer(ServerConfig.builder().restCors(cors).models(List.of(new ModelConfig("default",
                RunningServer.tfServingTestData("saved_model_half_plus_two_cpu")))));
    }

    private static void assertCorsHeaders(final HttpResponse<String> response) {
        assertThat(response.headers().firstValue("access-control-allow-origin")).contains("*");
        assertThat(response.headers().firstValue("access-control-allow-methods")).contains("POST, GET");
        assertThat(response.headers().firstValue("access-control-allow-headers")).contains("Content-Type");
    }

    private static HttpResponse<String> preflight(final RunningServer server, final String origin) {
        final HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(PREDICT))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            request.header("Origin", origin);
        }
        return server.send(request.build());
    }

    @Test
    void shouldAddTheHeadersAndAnswerPreflightsFromWebOrigins() throws InterruptedException {
        try (RunningServer server = server(true)) {
            final HttpResponse<String> predicted = server.post(PREDICT, "{\"instances\": [[1.0]]}");
            assertThat(predicted.statusCode()).isEqualTo(200);
            assertCorsHeaders(predicted);
            final HttpResponse<String> notFound = server.get("/v1/models/nope");
            assertThat(notFound.statusCode()).isEqualTo(404);
            assertCorsHeaders(notFound);

            final HttpResponse<String> allowed = preflight(server, "https://app.example.com");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).isEmpty();
            assertCorsHeaders(allowed);
            final HttpResponse<String> refused = preflight(server, null);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("needs an Origin header");
            assertThat(preflight(server, "file://local").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void shouldSendNoCorsHeadersByDefault() throws InterruptedException {
        try (RunningServer server = server(false)) {
            final HttpResponse<String> predicted = server.post(PREDICT, "{\"instances\": [[1.0]]}");
            assertThat(predicted.statusCode()).isEqualTo(200);
            assertThat(predicted.headers().firstValue("access-control-allow-origin")).isEmpty();
            assertThat(preflight(server, "https://app.example.com").statusCode()).isNotEqualTo(200);
        }
    }
}
