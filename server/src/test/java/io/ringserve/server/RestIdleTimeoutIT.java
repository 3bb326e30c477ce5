package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --rest_api_idle_timeout_seconds} on the real server: an idle keep-alive connection is closed by it; a body that
 * stops arriving is answered 408 after the request timeout or the idle timeout, whichever is shorter.
 */
class RestIdleTimeoutIT {
    /** half_plus_two as m, its keep-alive connections closed after two idle seconds. */
    private static RunningServer idleAfterTwoSeconds() throws InterruptedException {
        return new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("m", RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))))
                .restIdleTimeout(Duration.ofSeconds(2)));
    }

    /** half_plus_two as m, with a one-second request timeout and the default hour of idle time. */
    private static RunningServer requestTimeoutOfOneSecond() throws InterruptedException {
        return new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("m", RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))))
                .restApiTimeoutMillis(1000));
    }

    @Test
    void anIdleKeepAliveConnectionShouldBeClosedAfterItsAnswer() throws Exception {
        try (RunningServer server = idleAfterTwoSeconds();
             Socket socket = new Socket("127.0.0.1", server.uri("/").getPort())) {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            out.write("GET /v1/models/m HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            int length = -1;
            boolean keepAlive = true;
            for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                final String header = line.toLowerCase();
                if (header.startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).trim());
                }
                keepAlive &= !header.equals("connection: close");
            }
            assertThat(keepAlive).as("answered as a kept-alive connection").isTrue();
            assertThat(in.skip(length)).isEqualTo(length);
            assertThat(in.read()).as("closed by the server once idle, not by the 30 s read timeout").isEqualTo(-1);
        }
    }

    @Test
    void anUploadThatStopsArrivingForTheRequestTimeoutShouldBeAnswered408BeforeTheIdleTimeout() throws Exception {
        try (RunningServer server = requestTimeoutOfOneSecond();
             Socket socket = new Socket("127.0.0.1", server.uri("/").getPort())) {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/models/m:predict HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "a\r\n{\"instance\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).as("the idle timeout is an hour").startsWith("HTTP/1.1 408 Request Timeout")
                    .contains("--rest_api_timeout_in_ms");
            assertThat(server.post("/v1/models/m:predict", "{\"instances\": [1.0]}").statusCode())
                    .as("the server goes on").isEqualTo(200);
        }
    }

    @Test
    void aSlowUploadThatKeepsSendingShouldNotBeCutByTheRequestTimeout() throws Exception {
        try (RunningServer server = requestTimeoutOfOneSecond();
             Socket socket = new Socket("127.0.0.1", server.uri("/").getPort())) {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            final byte[] body = "{\"instances\": [1.0]}".getBytes(StandardCharsets.ISO_8859_1);
            out.write(("POST /v1/models/m:predict HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            // Three times the request timeout in all, but never half of it without a byte.
            for (byte b : body) {
                out.write(b);
                out.flush();
                Thread.sleep(150);
            }
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 200 OK").contains("2.5");
        }
    }

    @Test
    void anUploadThatStopsArrivingShouldBeAnswered408AndItsConnectionClosed() throws Exception {
        try (RunningServer server = idleAfterTwoSeconds();
             Socket socket = new Socket("127.0.0.1", server.uri("/").getPort())) {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            // Ten bytes of a hundred, then nothing: the client went away mid-upload.
            out.write(("POST /v1/models/m:predict HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n"
                    + "{\"instance").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout")
                    .contains("The request body stopped arriving");
            assertThat(server.post("/v1/models/m:predict", "{\"instances\": [1.0]}").statusCode())
                    .as("the server goes on").isEqualTo(200);
        }
    }
}
