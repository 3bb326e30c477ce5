package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compressed REST bodies ({@code Content-Encoding}), as TF Serving's HTTP server takes gzip, on the real server
 * with a 1 MiB body limit: decoded and served, or refused with a clear error, and the server goes on serving.
 */
@Timeout(60)
class CompressedRestBodyIT {
    private static final String PREDICT = "/v1/models/default:predict";
    private static final String BODY = "{\"instances\": [[1.0], [2.0], [5.0]]}";
    private static final String ANSWER = "{\"predictions\":[[2.5],[3.0],[4.5]]}";
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("default",
                        RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))))
                .maxRequestBytes(1 << 20));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] compressed(final byte[] body, final Function<OutputStream, OutputStream> encoder) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = encoder.apply(bytes)) {
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static OutputStream gzip(final OutputStream out) {
        try {
            return new GZIPOutputStream(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> post(final String encoding, final byte[] body) {
        return server.send(HttpRequest.newBuilder(server.uri(PREDICT)).header("Content-Encoding", encoding)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    private static String compact(final String json) {
        return json.replaceAll("\\s", "");
    }

    @Test
    void shouldServeAGzipBody() {
        final HttpResponse<String> response = post("gzip",
                compressed(BODY.getBytes(StandardCharsets.UTF_8), CompressedRestBodyIT::gzip));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(compact(response.body())).isEqualTo(ANSWER);
    }

    @Test
    void shouldServeALargeGzipBodyDecompressedOnAWorker() {
        // 20,000 rows: about 250 KB of JSON, about 100 KB gzipped: past a sixteenth of the 256 KiB offload size.
        final java.util.Random random = new java.util.Random(42);
        final int[] x = random.ints(20_000, 0, 100_000).toArray();
        final StringBuilder json = new StringBuilder("{\"instances\": [");
        for (int i = 0; i < x.length; i++) {
            json.append(i == 0 ? "" : ", ").append('[').append(x[i]).append(".5]");
        }
        final byte[] body = compressed(json.append("]}").toString().getBytes(StandardCharsets.UTF_8),
                CompressedRestBodyIT::gzip);
        assertThat(body.length).isGreaterThan((256 << 10) / 16);

        final HttpResponse<String> response = post("gzip", body);

        assertThat(response.statusCode()).isEqualTo(200);
        final String predictions = compact(response.body());
        assertThat(predictions).startsWith("{\"predictions\":[[" + ((x[0] + 0.5) / 2 + 2) + "],["
                + ((x[1] + 0.5) / 2 + 2) + "],");
        assertThat(predictions.split("\\],\\[")).hasSize(20_000);
    }

    @Test
    void shouldServeADeflateBody() {
        final HttpResponse<String> response = post("deflate",
                compressed(BODY.getBytes(StandardCharsets.UTF_8), DeflaterOutputStream::new));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(compact(response.body())).isEqualTo(ANSWER);
    }

    @Test
    void shouldRefuseABodyThatIsNotWhatItsEncodingSays() {
        final HttpResponse<String> response = post("gzip", BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("could not be decompressed (Content-Encoding)");
        assertThat(compact(server.post(PREDICT, BODY).body())).as("the server goes on").isEqualTo(ANSWER);
    }

    @Test
    void shouldServeAListOfCodingsAndRefuseOneItCannotUndoNamingIt() {
        final byte[] gzipped = compressed(BODY.getBytes(StandardCharsets.UTF_8), CompressedRestBodyIT::gzip);
        assertThat(compact(post("identity, gzip", gzipped).body())).isEqualTo(ANSWER);
        final HttpResponse<String> response = post("br", gzipped);
        assertThat(response.statusCode()).as("415 Unsupported Media Type").isEqualTo(415);
        assertThat(response.headers().firstValue("Accept-Encoding"))
                .hasValue("gzip, x-gzip, deflate, x-deflate, snappy");
        assertThat(response.body()).contains("could not be decompressed (Content-Encoding): "
                + "'br' is not a content coding this server decodes (gzip, x-gzip, deflate, x-deflate, snappy)");
        assertThat(compact(server.post(PREDICT, BODY).body())).as("the server goes on").isEqualTo(ANSWER);
    }

    @Test
    void shouldRefuseABodyCutShortNamingIt() {
        final byte[] whole = compressed(BODY.getBytes(StandardCharsets.UTF_8), CompressedRestBodyIT::gzip);
        final HttpResponse<String> response = post("gzip", java.util.Arrays.copyOf(whole, whole.length - 8));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("could not be decompressed (Content-Encoding): "
                + "the body ends before its compressed data does (cut short)");
        assertThat(compact(server.post(PREDICT, BODY).body())).as("the server goes on").isEqualTo(ANSWER);
    }

    @Test
    void shouldRefuseABodyThatDecompressesPastTheLimitAsOneThatLargeAsSent() {
        // 8 MiB of spaces inside the JSON compress to a few KiB: the 1 MiB limit holds for what is decoded, and the
        // answer names it.
        final byte[] padded = ("{\"instances\": [[1.0]]" + " ".repeat(8 << 20) + "}").getBytes(StandardCharsets.UTF_8);
        final HttpResponse<String> response = post("gzip", compressed(padded, CompressedRestBodyIT::gzip));
        assertThat(response.statusCode()).as("413, as a body over the limit as sent").isEqualTo(413);
        assertThat(response.body()).isEqualTo("{\"error\":\"The request body is larger than " + (1 << 20)
                + " bytes once decompressed (--max_request_bytes)\"}");
        assertThat(compact(server.post(PREDICT, BODY).body())).as("the server goes on").isEqualTo(ANSWER);
    }
}
