package io.ringserve.server;

import com.fasterxml.jackson.core.JsonFactory;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.server.codec.JsonFactories;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringserve.server.inference.BatchingModelRunner;
import io.ringserve.server.inference.DirectModelRunner;
import io.ringserve.server.inference.InferenceExecutor;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.rest.HealthRestService;
import io.ringserve.server.rest.RestRequestRouter;
import io.ringserve.server.rest.RestResponses;
import io.ringserve.server.rest.RestServerInitializer;
import io.ringserve.server.rest.TfServingRestService;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: the model registry, the inference executor and the REST listener.
 *
 * <p>{@link #start} binds the REST port first (so liveness answers while models load), then loads every configured
 * model; readiness turns true once all have a version serving. {@link #close} stops accepting connections, lets
 * queued and running requests finish (up to the drain timeout), then unloads the models. Start and close are
 * meant to be called once each, from one thread.
 */
public final class InferenceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceServer.class);

    private final ServerConfig config;
    private final ModelRegistry registry;
    private final MeterRegistry meterRegistry;
    private final ModelRunner runner;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel restChannel;

    public InferenceServer(final ServerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = new ModelRegistry(new SavedModelLoader(config.sessionOptions()));
        this.meterRegistry = new SimpleMeterRegistry();
        final ModelRunner direct = new DirectModelRunner(
                new InferenceExecutor(config.inferenceThreads(), config.maxQueuedRequests(), System::nanoTime));
        this.runner = config.batching().enabled()
                ? new BatchingModelRunner(config.batching()::optionsFor, direct, meterRegistry, System::nanoTime)
                : direct;
        config.models().forEach(m -> registry.add(m.name(), m.basePath()));
    }

    /**
     * Binds the REST port and loads the models. Blocks until every model has loaded or failed.
     *
     * @throws InterruptedException if interrupted while binding
     * @throws io.netty.channel.ChannelException (or another runtime exception) if the port cannot be bound
     */
    public InferenceServer start() throws InterruptedException {
        final IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerChannel> channelType = Epoll.isAvailable()
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(), io);
        final JsonFactory json = JsonFactories.tfServing(config.maxRequestBytes());
        final RestResponses responses = new RestResponses(json);
        final RestRequestRouter router = new RestRequestRouter(
                new TfServingRestService(new ModelResolver(registry), runner, json,
                        config.restApiTimeoutMillis(), System::nanoTime),
                new HealthRestService(registry, responses), responses);
        restChannel = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new RestServerInitializer(router, responses, config.maxRequestBytes()))
                .bind(config.bindAddress(), config.restPort()).sync().channel();
        LOG.info("REST API (TF Serving /v1, KServe /v2/health) listening on {}", restChannel.localAddress());
        if (config.grpcPort() != 0) {
            LOG.info("gRPC port {} is reserved for the gRPC front end, which this build does not serve yet",
                    config.grpcPort());
        }
        registry.loadAll();
        return this;
    }

    /** The port REST listens on (useful when configured as 0). */
    public int restPort() {
        return ((InetSocketAddress) restChannel.localAddress()).getPort();
    }

    /** The meters of this server (batching queues so far). */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The models and their versions. */
    public ModelRegistry registry() {
        return registry;
    }

    /** Blocks until the REST listener closes. */
    public void awaitTermination() throws InterruptedException {
        restChannel.closeFuture().await();
    }

    @Override
    public void close() {
        try {
            if (restChannel != null) {
                restChannel.close().syncUninterruptibly();
            }
            if (!runner.shutdown(Duration.ofMillis(config.drainTimeoutMillis()))) {
                LOG.warn("Requests still running after the {} ms drain timeout", config.drainTimeoutMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdownGroup(workerGroup);
            shutdownGroup(bossGroup);
            registry.close();
        }
    }

    private static void shutdownGroup(final EventLoopGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
