package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Pipelined requests are answered in order, and a connection stops reading while it holds as many of them as it may,
 * or while its client does not take its answers, and reads again once it can.
 */
class RestRequestHandlerTest {
    /** The answers the router owes, oldest first; each completes when the test says. */
    private final Queue<CompletableFuture<FullHttpResponse>> owed = new ArrayDeque<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new RestRequestHandler((ctx, request) -> {
        final CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        owed.add(answer);
        return answer;
    }, new RestResponses(new JsonFactory()), RequestObserver.NONE));

    private void request(final int bodyBytes) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict",
                Unpooled.wrappedBuffer(new byte[bodyBytes])));
    }

    /** Completes the oldest answer owed with {@code body}, and lets the event loop write it. */
    private void answer(final String body) {
        owed.remove().complete(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
        channel.runPendingTasks();
    }

    private String written() {
        final FullHttpResponse response = channel.readOutbound();
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void shouldStopReadingWhenTheQueueOfPipelinedRequestsIsFullAndReadAgainOnceItHasRoom() {
        request(10);
        for (int i = 0; i < RestRequestHandler.MAX_QUEUED_REQUESTS - 1; i++) {
            request(10);
        }
        assertThat(channel.config().isAutoRead()).as("one being answered, 15 queued").isTrue();
        request(10);
        assertThat(channel.config().isAutoRead()).as("16 queued").isFalse();
        assertThat(owed).as("only the first is being answered").hasSize(1);

        answer("first");
        assertThat(written()).isEqualTo("first");
        assertThat(owed).as("the next is being answered").hasSize(1);
        assertThat(channel.config().isAutoRead()).as("15 queued").isTrue();
        for (int i = 2; i <= RestRequestHandler.MAX_QUEUED_REQUESTS + 1; i++) {
            answer("answer " + i);
            assertThat(written()).isEqualTo("answer " + i);
        }
        assertThat(owed).isEmpty();
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void shouldStopReadingWhenTheQueuedBodiesReachTheirLimit() {
        request(10);
        request((int) RestRequestHandler.MAX_QUEUED_BYTES - 1);
        assertThat(channel.config().isAutoRead()).isTrue();
        request(1);
        assertThat(channel.config().isAutoRead()).as("the queued bodies hold the limit").isFalse();
        answer("first");
        assertThat(channel.config().isAutoRead()).as("the large body went to be answered").isTrue();
        assertThat(written()).isEqualTo("first");
    }

    @Test
    void shouldStopReadingWhileTheClientDoesNotTakeItsAnswers() {
        request(10);
        request(10);
        // The answers pile up unsent: a client that does not read.
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();
        answer("first");
        answer("second");
        assertThat(written()).isEqualTo("first");
        assertThat(written()).isEqualTo("second");
        final FullHttpResponse none = channel.readOutbound();
        assertThat(none).isNull();
        assertThat(channel.isOpen()).isTrue();
    }
}
