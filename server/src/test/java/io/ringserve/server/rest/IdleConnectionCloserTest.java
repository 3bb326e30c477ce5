package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Idle events, and the server's drain, close a connection only when none of its requests is waiting for its answer;
 * while draining, the last answer says {@code Connection: close} and the connection closes after it.
 */
class IdleConnectionCloserTest {
    private final List<Object> passedOn = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new IdleConnectionCloser(),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) {
                    passedOn.add(evt);
                }
            });

    private void request() {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/models/m:predict"));
        channel.readInbound();
    }

    private void answer() {
        answer(HttpResponseStatus.OK);
    }

    private FullHttpResponse answer(final HttpResponseStatus status) {
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status));
        return channel.readOutbound();
    }

    private void drain() {
        channel.pipeline().fireUserEventTriggered(RestConnections.DRAIN);
    }

    private void quietFor(final Duration time) {
        channel.advanceTimeBy(time.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void drainingShouldCloseAnIdleConnectionOnceItStaysQuiet() {
        request();
        answer();
        drain();
        assertThat(channel.isOpen()).as("its client may be sending its next request just now").isTrue();
        quietFor(IdleConnectionCloser.DRAIN_QUIET);
        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn).as("the drain is this handler's").isEmpty();
    }

    @Test
    void aQuietConnectionShouldCloseOnlyAfterWhatItIsStillWriting() {
        // Writes held as a socket holds them for a client that reads slowly: complete only when released.
        final List<io.netty.channel.ChannelPromise> held = new ArrayList<>();
        final EmbeddedChannel slow = new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(final ChannelHandlerContext ctx, final Object msg,
                              final io.netty.channel.ChannelPromise promise) {
                io.netty.util.ReferenceCountUtil.release(msg);
                held.add(promise);
            }
        }, new IdleConnectionCloser());
        slow.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict"));
        slow.readInbound();
        slow.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        slow.pipeline().fireUserEventTriggered(RestConnections.DRAIN);
        slow.advanceTimeBy(IdleConnectionCloser.DRAIN_QUIET.toNanos(), TimeUnit.NANOSECONDS);
        slow.runScheduledPendingTasks();
        assertThat(slow.isOpen()).as("its answer is still going out").isTrue();
        held.forEach(io.netty.channel.ChannelPromise::setSuccess);
        slow.runPendingTasks();
        assertThat(slow.isOpen()).isFalse();
    }

    @Test
    void aRequestArrivingOnAnIdleConnectionAsTheDrainBeginsShouldBeAnsweredAndTheConnectionClosedAfter() {
        request();
        answer();
        drain();
        quietFor(IdleConnectionCloser.DRAIN_QUIET.dividedBy(2));
        request(); // sent before the client could know
        quietFor(IdleConnectionCloser.DRAIN_QUIET);
        assertThat(channel.isOpen()).as("its answer is being computed").isTrue();
        quietFor(IdleConnectionCloser.DRAIN_QUIET);
        assertThat(channel.isOpen()).as("however long that takes").isTrue();
        assertThat(HttpUtil.isKeepAlive(answer(HttpResponseStatus.OK))).as("the last answer").isFalse();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void drainingShouldLetABusyConnectionAnswerWhatItHasReadAndCloseAfterTheLastAnswer() {
        request();
        request(); // pipelined
        drain();
        assertThat(channel.isOpen()).isTrue();
        assertThat(HttpUtil.isKeepAlive(answer(HttpResponseStatus.OK))).as("one more to answer").isTrue();
        assertThat(channel.isOpen()).isTrue();
        assertThat(HttpUtil.isKeepAlive(answer(HttpResponseStatus.OK))).as("the last answer").isFalse();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void drainingShouldWaitForARequestWhoseBodyIsStillArriving() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict"));
        drain();
        assertThat(channel.isOpen()).as("its head is read; its body comes next").isTrue();
        channel.writeInbound(new DefaultLastHttpContent());
        assertThat(HttpUtil.isKeepAlive(answer(HttpResponseStatus.OK))).isFalse();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anIdleConnectionWithNothingToAnswerShouldBeClosed() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aConnectionWaitingForItsAnswerShouldStayOpenUntilAnsweredAndIdleAgain() {
        request();
        answer(HttpResponseStatus.CONTINUE);
        request();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("two requests computing").isTrue();
        answer();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("one pipelined request still computing").isTrue();
        answer();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBodyThatStopsArrivingForTheRequestTimeoutShouldBeAnswered408AndClosed() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict"));
        channel.readInbound();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        final FullHttpResponse timeout = channel.readOutbound();
        assertThat(timeout.status()).isEqualTo(HttpResponseStatus.REQUEST_TIMEOUT);
        assertThat(timeout.content().toString(StandardCharsets.UTF_8))
                .contains("The request body stopped arriving").contains("--rest_api_timeout_in_ms");
        timeout.release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBodyTheServerHoldsBackShouldNotBeTakenForAStalledOne() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict"));
        channel.readInbound();
        channel.config().setAutoRead(false); // as RestRequestHandler does while its client takes no answers
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isTrue();
        assertThat((Object) channel.readOutbound()).isNull();
        channel.config().setAutoRead(true);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        final FullHttpResponse timeout = channel.readOutbound();
        assertThat(timeout.status()).as("reading again, and still nothing").isEqualTo(
                HttpResponseStatus.REQUEST_TIMEOUT);
        timeout.release();
    }

    @Test
    void readerIdleShouldLeaveAloneAnIdleConnectionAndOneWaitingForItsAnswer() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("keep-alive idleness is the all-idle time's").isTrue();
        request();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("its body is in; the model is computing").isTrue();
        assertThat((Object) channel.readOutbound()).isNull();
        answer();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void otherEventsShouldPassThrough() {
        final Object other = new Object();
        channel.pipeline().fireUserEventTriggered(other);
        assertThat(channel.isOpen()).isTrue();
        assertThat(passedOn).containsExactly(other);
    }
}
