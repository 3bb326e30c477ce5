package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --max_request_bytes} on the real server: a body over the limit is answered 413 with a JSON error, in its
 * turn among the connection's pipelined requests (not ahead of the answers still owed to earlier ones), and the
 * connection then closes; the server goes on serving.
 */
@Timeout(120)
class RequestBodyLimitIT {
    private static final int LIMIT = 64 << 10;
    private static final String PREDICT = "/v1/models/m:predict";
    private static final String BODY = "{\"instances\": [1.0, 2.0]}";
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("m", RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))))
                .maxRequestBytes(LIMIT));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends {@code requests} on one connection and reads every answer until the server closes it. */
    private static String exchange(final String requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.server().restPort())) {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static String predict(final String extraHeaders, final String body) {
        return "POST " + PREDICT + " HTTP/1.1\r\nHost: x\r\n" + extraHeaders + "Content-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    @Test
    void anOversizedBodyShouldBeAnsweredInTurnWithAJsonErrorThenTheConnectionClosed() throws IOException {
        final String oversized = "POST " + PREDICT + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + (LIMIT + 1)
                + "\r\n\r\n{\"instances\": [";
        final String answers = exchange(predict("", BODY) + oversized);
        assertThat(answers).startsWith("HTTP/1.1 200 OK").contains("{\"predictions\":[2.5,3.0]}");
        final String second = answers.substring(answers.indexOf("HTTP/1.1", 1));
        assertThat(second).startsWith("HTTP/1.1 413 Request Entity Too Large")
                .contains("connection: close")
                .endsWith("{\"error\":\"The request body is larger than 65536 bytes (--max_request_bytes)\"}");
        assertThat(server.post(PREDICT, BODY).statusCode()).as("the server goes on").isEqualTo(200);
    }

    @Test
    void aChunkedBodyGrowingPastTheLimitShouldBeAnsweredTheSameWay() throws IOException {
        final String chunk = "x".repeat(40_000);
        final String chunked = "POST " + PREDICT + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
        final String answers = exchange(predict("", BODY) + chunked);
        assertThat(answers).startsWith("HTTP/1.1 200 OK");
        assertThat(answers.substring(answers.indexOf("HTTP/1.1", 1)))
                .startsWith("HTTP/1.1 413 Request Entity Too Large")
                .endsWith("{\"error\":\"The request body is larger than 65536 bytes (--max_request_bytes)\"}");
    }

    @Test
    void anOversizedBodyThatWaitsFor100ContinueShouldGetThe413InsteadOfAContinue() throws IOException {
        final String expecting = "POST " + PREDICT + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n";
        final String answers = exchange(expecting);
        assertThat(answers).startsWith("HTTP/1.1 413 Request Entity Too Large").doesNotContain("100 Continue")
                .endsWith("{\"error\":\"The request body is larger than 65536 bytes (--max_request_bytes)\"}");
    }

    @Test
    void aBodyWithinTheLimitThatWaitsFor100ContinueShouldStillBeServed() throws IOException {
        final String answers = exchange(predict("Expect: 100-continue\r\nConnection: close\r\n", BODY));
        assertThat(answers).startsWith("HTTP/1.1 100 Continue").contains("HTTP/1.1 200 OK")
                .contains("{\"predictions\":[2.5,3.0]}");
    }
}
