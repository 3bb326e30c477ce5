package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests as bytes through the REST pipeline's codec, aggregator and handler (as {@link RestServerInitializer}
 * assembles them): one the codec cannot read is answered with the status its fault has (414 for a request line too
 * long, 431 for header fields too large, 400 for a malformed body) in the {@code {"error"}} JSON naming the limit,
 * and its connection closed; a request target in absolute form is routed by its path and query.
 */
class UnreadableRequestTest {
    /** What the router was asked: each request's URI and path. */
    private final List<String> routed = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new HttpServerCodec(new HttpDecoderConfig(), Integer.MAX_VALUE),
            new RequestAggregator(1 << 20),
            new RestRequestHandler((request, executor, alloc) -> {
                routed.add(request.http().uri() + " -> " + request.path());
                return CompletableFuture.completedFuture(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.OK, alloc.buffer().writeBytes("routed".getBytes(StandardCharsets.UTF_8))));
            }, new RestResponses(new JsonFactory()), RequestObserver.NONE, ImmediateEventExecutor.INSTANCE,
                    Integer.MAX_VALUE, 1 << 20));

    @AfterEach
    void nothingShouldBeLeftUnread() {
        assertThat(channel.finishAndReleaseAll()).as("messages left in the channel").isFalse();
    }

    /** Sends {@code request} as it is and returns what the server wrote back. */
    private String exchange(final String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        final StringBuilder written = new StringBuilder();
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            written.append(part.toString(StandardCharsets.ISO_8859_1));
            part.release();
        }
        return written.toString();
    }

    @Test
    void aRequestLineOverTheLimitShouldBeAnswered414AndItsConnectionClosed() {
        final String answer = exchange("GET /v2/models/" + "m".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 414 Request-URI Too Long\r\n")
                .containsIgnoringCase("content-type: application/json")
                .containsIgnoringCase("connection: close")
                .endsWith("\r\n\r\n{\"error\":\"The request line (method, URI and version) is too long: "
                        + "An HTTP line is larger than 4096 bytes.\"}");
        assertThat(routed).isEmpty();
        assertThat(channel.isOpen()).as("where the request ends is not known").isFalse();
    }

    @Test
    void headerFieldsOverTheLimitShouldBeAnswered431AndTheirConnectionClosed() {
        final String answer = exchange("GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000)
                + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
                .containsIgnoringCase("connection: close")
                .endsWith("\r\n\r\n{\"error\":\"The request's header fields are too large: "
                        + "HTTP header is larger than 8192 bytes.\"}");
        assertThat(routed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aChunkSizeLineOverTheLimitShouldBeAMalformedBodyNotALongUri() {
        final String answer = exchange("POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5;" + "e".repeat(5000) + "\r\nhello\r\n0\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n")
                .endsWith("{\"error\":\"Malformed HTTP request: The size line of a chunk of the body is too long: "
                        + "An HTTP line is larger than 4096 bytes.\"}");
        assertThat(routed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestTargetInAbsoluteFormShouldBeRoutedByItsPathAndQuery() {
        final String answer = exchange("GET http://x:8501/v2/health/ready?verbose=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET HTTP://x HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answer.split("HTTP/1.1 200 OK", -1)).as("two answers, the connection kept").hasSize(3);
        assertThat(routed).containsExactly("/v2/health/ready?verbose=1 -> /v2/health/ready", "/ -> /");
        assertThat(channel.isOpen()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "/v1/models/m:predict, /v1/models/m:predict",
        "/a?next=http://x/b, /a?next=http://x/b",
        "http://x/v1/models/m, /v1/models/m",
        "https://user@host:8501/v2?x=1, /v2?x=1",
        "http://host?x=1, /?x=1",
        "http://host, /",
        "svc+h2.x-y://host/p, /p",
        "*, *",
        "1http://host/p, 1http://host/p",
        "models/m://host/p, models/m://host/p",
    })
    void originFormShouldDropTheSchemeAndAuthorityOfAnAbsoluteTargetOnly(final String target, final String origin) {
        assertThat(RestRequestHandler.originForm(target)).isEqualTo(origin);
    }
}
