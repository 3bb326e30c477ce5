package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generators against a synthetic slow server that answers every request 20 ms after it arrives, one at a time
 * per connection: 50 answers a second per connection at most (200, or the status a {@code /status/N} path asks for).
 */
@Timeout(60)
class OpenLoopRestClientTest {
    private static final long SERVICE_MILLIS = 20;
    private static EventLoopGroup group;
    private static Channel server;
    private static URI target;

    @BeforeAll
    static void startSlowServer() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    private int served;

                                    @Override
                                    protected void channelRead0(final ChannelHandlerContext ctx,
                                                                final FullHttpRequest request) {
                                        served++;
                                        // "/drop/N": every Nth request on a connection, the connection closes
                                        // unanswered (a crashed proxy).
                                        if (request.uri().startsWith("/drop/") && served % Integer.parseInt(
                                                request.uri().substring("/drop/".length())) == 0) {
                                            ctx.close();
                                            return;
                                        }
                                        // "/close/N": every Nth answer says Connection: close, and the
                                        // connection closes after it (a proxy's request limit, a drain).
                                        final boolean last = request.uri().startsWith("/close/") && served
                                                % Integer.parseInt(request.uri().substring("/close/".length())) == 0;
                                        // "/status/503" answers 503; any other path 200.
                                        final HttpResponseStatus status = request.uri().startsWith("/status/")
                                                ? HttpResponseStatus.valueOf(Integer.parseInt(
                                                        request.uri().substring("/status/".length())))
                                                : HttpResponseStatus.OK;
                                        ctx.executor().schedule(() -> {
                                            final FullHttpResponse response = new DefaultFullHttpResponse(
                                                    HttpVersion.HTTP_1_1, status,
                                                    Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII));
                                            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
                                            if (last) {
                                                response.headers().set(HttpHeaderNames.CONNECTION, "close");
                                                ctx.writeAndFlush(response).addListener(f -> ctx.close());
                                            } else {
                                                ctx.writeAndFlush(response);
                                            }
                                        }, SERVICE_MILLIS, TimeUnit.MILLISECONDS);
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        target = URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/x");
    }

    @AfterAll
    static void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The overloaded server's queueing shows as latency, not as the generator falling behind its schedule. */
    @Test
    void openLoopBeyondCapacityShouldShowTheQueueingUsersWouldSee() throws Exception {
        // 100 requests/s on one connection that serves 50/s: the backlog, and so the latency, keeps growing; the
        // requests are due all the same, and wait.
        try (OpenLoopRestClient client = new OpenLoopRestClient(target, "{}".getBytes(StandardCharsets.US_ASCII),
                1)) {
            final LoadResult result = client.run("overload", Arrivals.constant(100), Duration.ofMillis(200),
                    Duration.ofSeconds(2), 1);
            // At most what the connection serves; the lower bound leaves room for a slow, shared machine.
            assertThat(result.throughput()).isBetween(10.0, 55.0);
            // Measured from send time every answer would take ~20 ms; from due time the wait is charged too.
            assertThat(result.percentileMicros(99)).isGreaterThan(500_000);
            assertThat(result.percentileMicros(50)).isGreaterThan(100_000);
            assertThat(LoadTestCommand.generatorFellBehind(result, 100)).as("send rate %s", result.sendRate())
                    .isFalse();
        }
    }

    @Test
    void openLoopWithinCapacityShouldSeeTheServiceTime() throws Exception {
        try (OpenLoopRestClient client = new OpenLoopRestClient(target, "{}".getBytes(StandardCharsets.US_ASCII),
                8)) {
            final LoadResult result = client.run("comfortable", Arrivals.constant(50), Duration.ofMillis(200),
                    Duration.ofSeconds(2), 1);
            // Wide lower bounds and a p50 well under the overload case's: a shared machine can stall the client.
            assertThat(result.throughput()).isBetween(20.0, 60.0);
            assertThat(result.sendRate()).isBetween(20.0, 60.0);
            assertThat(result.percentileMicros(50)).isBetween(SERVICE_MILLIS * 1000, 100_000L);
            assertThat(result.errors()).isZero();
        }
    }

    @Test
    void closedLoopShouldSeeTheServiceTimePerConnection() throws Exception {
        try (ClosedLoopRestClient client = new ClosedLoopRestClient(target,
                "{}".getBytes(StandardCharsets.US_ASCII))) {
            final LoadResult result = client.run("closed", 2, Duration.ofMillis(200), Duration.ofSeconds(2), 1);
            assertThat(result.throughput()).isBetween(20.0, 105.0);
            assertThat(result.percentileMicros(50)).isBetween(SERVICE_MILLIS * 1000, 100_000L);
        }
    }

    @Test
    void closedLoopShouldCountShedAndExpiredAnswersByKind() throws Exception {
        for (int status : new int[] {503, 504, 500}) {
            final URI failing = target.resolve("/status/" + status);
            try (ClosedLoopRestClient client = new ClosedLoopRestClient(failing,
                    "{}".getBytes(StandardCharsets.US_ASCII))) {
                final LoadResult result = client.run("closed " + status, 2, Duration.ofMillis(100),
                        Duration.ofMillis(500), 1);
                assertThat(result.requests()).as("%d is no answer", status).isZero();
                assertThat(result.errors()).as("%d counts as an error", status).isPositive();
                assertThat(result.rejected()).isEqualTo(status == 503 ? result.errors() : 0);
                assertThat(result.expired()).isEqualTo(status == 504 ? result.errors() : 0);
            }
        }
    }

    @Test
    void connectionsTheServerClosesShouldBeReplacedAndTheirLostRequestsCounted() throws Exception {
        // Connection: close every 3rd answer: the client opens a new connection, and nothing is lost.
        try (ClosedLoopRestClient client = new ClosedLoopRestClient(target.resolve("/close/3"),
                "{}".getBytes(StandardCharsets.US_ASCII))) {
            final LoadResult result = client.run("closing", 2, Duration.ofMillis(200), Duration.ofSeconds(1), 1);
            assertThat(result.errors()).isZero();
            assertThat(result.requests()).as("both connections go on after their first close").isGreaterThan(12);
        }
        // Every 3rd request dropped unanswered: counted as errors, and the load goes on on new connections.
        try (ClosedLoopRestClient client = new ClosedLoopRestClient(target.resolve("/drop/3"),
                "{}".getBytes(StandardCharsets.US_ASCII))) {
            final LoadResult result = client.run("dropping", 2, Duration.ofMillis(200), Duration.ofSeconds(1), 1);
            assertThat(result.errors()).isPositive();
            assertThat(result.requests()).isGreaterThan(6);
        }
        try (OpenLoopRestClient client = new OpenLoopRestClient(target.resolve("/drop/3"),
                "{}".getBytes(StandardCharsets.US_ASCII), 4)) {
            final LoadResult result = client.run("open dropping", Arrivals.constant(50), Duration.ofMillis(200),
                    Duration.ofSeconds(1), 1);
            assertThat(result.errors()).isPositive();
            assertThat(result.requests()).isGreaterThan(6);
        }
    }
}
