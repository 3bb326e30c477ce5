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
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pipelined requests are answered in order, and a connection stops reading while it holds as many of them as it may,
 * or while its client does not take its answers, and reads again once it can. Requests with large bodies are handled
 * on a worker, not on the event loop, and answered on the event loop.
 */
class RestRequestHandlerTest {
    /** The answers the router owes, oldest first; each completes when the test says. */
    private final Queue<CompletableFuture<FullHttpResponse>> owed = new ArrayDeque<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new RestRequestHandler((request, executor, alloc) -> {
        final CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        owed.add(answer);
        return answer;
    }, new RestResponses(new JsonFactory()), RequestObserver.NONE, ImmediateEventExecutor.INSTANCE, Integer.MAX_VALUE));

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

    /**
     * A connection whose router answers how many body bytes it read, noting the thread it ran on in {@code routedOn};
     * bodies of 1000 bytes or more go to {@code workers}.
     */
    private static EmbeddedChannel countingBodies(final EventExecutorGroup workers,
                                                  final CompletableFuture<Thread> routedOn) {
        return new EmbeddedChannel(new RestRequestHandler((request, executor, alloc) -> {
            routedOn.complete(Thread.currentThread());
            assertThat(executor.inEventLoop()).as("the executor given is the one it runs on").isTrue();
            return CompletableFuture.completedFuture(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK, Unpooled.copiedBuffer(request.http().content().readableBytes()
                            + " bytes read", StandardCharsets.UTF_8)));
        }, new RestResponses(new JsonFactory()), RequestObserver.NONE, workers, 1000));
    }

    private static void post(final EmbeddedChannel channel, final int bodyBytes) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict",
                Unpooled.wrappedBuffer(new byte[bodyBytes])));
    }

    @Test
    void shouldHandleALargeBodyOnAWorkerAndWriteItsAnswerOnTheEventLoop() throws Exception {
        final DefaultEventExecutorGroup workers = new DefaultEventExecutorGroup(1);
        try {
            final CompletableFuture<Thread> routedOn = new CompletableFuture<>();
            final EmbeddedChannel offloading = countingBodies(workers, routedOn);
            post(offloading, 999);
            assertThat(routedOn.getNow(null)).as("a small body is handled on the event loop")
                    .isSameAs(Thread.currentThread());
            offloading.runPendingTasks();
            final FullHttpResponse small = offloading.readOutbound();
            assertThat(small.content().toString(StandardCharsets.UTF_8)).isEqualTo("999 bytes read");
            small.release();

            final CompletableFuture<Thread> bigRoutedOn = new CompletableFuture<>();
            final EmbeddedChannel big = countingBodies(workers, bigRoutedOn);
            post(big, 1000);
            assertThat(bigRoutedOn.get(10, TimeUnit.SECONDS)).as("a large body is handled on a worker")
                    .isNotSameAs(Thread.currentThread());
            FullHttpResponse answer = null;
            for (int i = 0; i < 1000 && answer == null; i++) {
                big.runPendingTasks();
                answer = big.readOutbound();
                Thread.sleep(answer == null ? 5 : 0);
            }
            assertThat(answer).as("written on the channel's event loop").isNotNull();
            assertThat(answer.content().toString(StandardCharsets.UTF_8)).isEqualTo("1000 bytes read");
            answer.release();
        } finally {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
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
