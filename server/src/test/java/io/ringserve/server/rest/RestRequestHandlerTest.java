package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Pipelined requests are answered in order, and a connection stops reading while it holds as many of them as it may,
 * or while its client does not take its answers, and reads again once it can. Requests with large bodies are handled
 * on a worker, not on the event loop, and answered on the event loop. Compressed bodies it cannot take are answered
 * 400, 413 or 415 as the reason is. (Requests the codec cannot read: {@link UnreadableRequestTest}.)
 */
class RestRequestHandlerTest {
    /** The answers the router owes, oldest first; each completes when the test says. */
    private final Queue<CompletableFuture<FullHttpResponse>> owed = new ArrayDeque<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new RestRequestHandler((request, executor, alloc) -> {
        final CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        owed.add(answer);
        return answer;
    }, new RestResponses(new JsonFactory()), RequestObserver.NONE, ImmediateEventExecutor.INSTANCE, Integer.MAX_VALUE,
            Integer.MAX_VALUE));

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
        }, new RestResponses(new JsonFactory()), RequestObserver.NONE, workers, 1000, 1 << 20));
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
            assertThat(awaitAnswer(big)).isEqualTo("1000 bytes read");
        } finally {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** {@code bytes} zero bytes, gzipped. */
    private static byte[] gzippedZeros(final int bytes) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(new byte[bytes]);
        }
        return out.toByteArray();
    }

    private static void postGzip(final EmbeddedChannel channel, final byte[] body) {
        final DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/models/m:predict", Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        channel.writeInbound(request);
    }

    /** Waits for the answer a worker hands to {@code channel}'s event loop, and returns its body. */
    private static String awaitAnswer(final EmbeddedChannel channel) throws InterruptedException {
        FullHttpResponse answer = null;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answer == null && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            answer = channel.readOutbound();
            Thread.sleep(answer == null ? 5 : 0);
        }
        assertThat(answer).as("written on the channel's event loop").isNotNull();
        try {
            return answer.content().toString(StandardCharsets.UTF_8);
        } finally {
            answer.release();
        }
    }

    @Test
    void shouldDecompressACompressedBodyOnAWorkerFromASixteenthOfTheOffloadSize() throws Exception {
        final byte[] small = gzippedZeros(10);
        final byte[] large = gzippedZeros(100_000);
        assertThat(small.length).isLessThan(1000 / CompressedBodies.EXPANSION);
        assertThat(large.length).isBetween(1000 / CompressedBodies.EXPANSION, 999);
        final DefaultEventExecutorGroup workers = new DefaultEventExecutorGroup(1);
        try {
            final CompletableFuture<Thread> smallRoutedOn = new CompletableFuture<>();
            final EmbeddedChannel smallChannel = countingBodies(workers, smallRoutedOn);
            postGzip(smallChannel, small);
            assertThat(smallRoutedOn.getNow(null)).as("a small compressed body is handled on the event loop")
                    .isSameAs(Thread.currentThread());
            assertThat(awaitAnswer(smallChannel)).isEqualTo("10 bytes read");

            final CompletableFuture<Thread> largeRoutedOn = new CompletableFuture<>();
            final EmbeddedChannel largeChannel = countingBodies(workers, largeRoutedOn);
            postGzip(largeChannel, large);
            assertThat(largeRoutedOn.get(10, TimeUnit.SECONDS)).as("decompressed on a worker")
                    .isNotSameAs(Thread.currentThread());
            assertThat(awaitAnswer(largeChannel)).isEqualTo("100000 bytes read");
        } finally {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void shouldAnswerABodyThatIsNotWhatItsEncodingSaysWith400AndReadOn() throws Exception {
        final EmbeddedChannel plain = countingBodies(ImmediateEventExecutor.INSTANCE, new CompletableFuture<>());
        postGzip(plain, "{\"instances\": [1.0]}".getBytes(StandardCharsets.UTF_8));
        plain.runPendingTasks();
        final FullHttpResponse refused = plain.readOutbound();
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(refused.content().toString(StandardCharsets.UTF_8))
                .contains("The request body could not be decompressed (Content-Encoding)");
        refused.release();

        assertThat(plain.isOpen()).isTrue();
        assertThat(plain.config().isAutoRead()).isTrue();
        post(plain, 5);
        assertThat(awaitAnswer(plain)).isEqualTo("5 bytes read");
    }

    private static void postEncoded(final EmbeddedChannel channel, final String encoding, final byte[] body) {
        final DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/models/m:predict", Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.CONTENT_ENCODING, encoding);
        channel.writeInbound(request);
    }

    @Test
    void shouldAnswerABodyThatDecompressesPastTheLimitWith413AsOneThatLargeAsSentAndReadOn() throws Exception {
        final EmbeddedChannel plain = countingBodies(ImmediateEventExecutor.INSTANCE, new CompletableFuture<>());
        postGzip(plain, gzippedZeros((1 << 20) + 1));
        plain.runPendingTasks();
        final FullHttpResponse refused = plain.readOutbound();
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        assertThat(refused.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"The request body is "
                + "larger than 1048576 bytes once decompressed (--max_request_bytes)\"}");
        refused.release();

        assertThat(plain.isOpen()).as("the body was read whole").isTrue();
        postGzip(plain, gzippedZeros(1 << 20));
        assertThat(awaitAnswer(plain)).isEqualTo("1048576 bytes read");
    }

    @Test
    void shouldAnswerACodingItDoesNotDecodeWith415NamingItAndTheCodingsItDecodes() throws Exception {
        final EmbeddedChannel plain = countingBodies(ImmediateEventExecutor.INSTANCE, new CompletableFuture<>());
        postEncoded(plain, "gzip, br", gzippedZeros(10));
        plain.runPendingTasks();
        final FullHttpResponse refused = plain.readOutbound();
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE);
        assertThat(refused.headers().get(HttpHeaderNames.ACCEPT_ENCODING))
                .isEqualTo(CompressedBodies.acceptedCodings()).startsWith("gzip, x-gzip, deflate, x-deflate, snappy");
        assertThat(refused.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"The request body "
                + "could not be decompressed (Content-Encoding): 'br' is not a content coding this server decodes ("
                + CompressedBodies.acceptedCodings() + ")\"}");
        refused.release();

        assertThat(plain.isOpen()).isTrue();
        post(plain, 5);
        assertThat(awaitAnswer(plain)).isEqualTo("5 bytes read");
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
