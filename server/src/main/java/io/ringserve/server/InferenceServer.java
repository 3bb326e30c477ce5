package io.ringserve.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.ringserve.models.LoadRetries;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SyntheticWarmup;
import io.ringserve.models.VersionWarmup;
import io.ringserve.server.codec.JsonFactories;
import io.ringserve.server.config.ModelServerConfigFile;
import io.ringserve.server.grpc.DomainSocketPath;
import io.ringserve.server.grpc.GrpcServer;
import io.ringserve.server.grpc.GrpcTls;
import io.ringserve.server.grpc.LargeMessageOffload;
import io.ringserve.server.grpc.WarmupReplay;
import io.ringserve.server.inference.AnswerHandoff;
import io.ringserve.server.inference.BatchingModelRunner;
import io.ringserve.server.inference.DirectModelRunner;
import io.ringserve.server.inference.InferenceExecutor;
import io.ringserve.server.inference.InputShapeGuard;
import io.ringserve.server.inference.ModelRepositoryApi;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import io.ringserve.server.inference.VersionPoller;
import io.ringserve.server.metrics.GrpcRequestObserver;
import io.ringserve.server.metrics.InferenceRequestObserver;
import io.ringserve.server.metrics.ModelMeters;
import io.ringserve.server.metrics.ServerMetrics;
import io.ringserve.server.metrics.TfServingMetrics;
import io.ringserve.server.rest.AnswerPlacement;
import io.ringserve.server.rest.CorsRouter;
import io.ringserve.server.rest.HealthRestService;
import io.ringserve.server.rest.HttpRouter;
import io.ringserve.server.rest.KServeRestService;
import io.ringserve.server.rest.MetricsRestService;
import io.ringserve.server.rest.RepositoryRestService;
import io.ringserve.server.rest.RequestObserver;
import io.ringserve.server.rest.RestConnections;
import io.ringserve.server.rest.RestRequestRouter;
import io.ringserve.server.rest.RestResponses;
import io.ringserve.server.rest.RestServerInitializer;
import io.ringserve.server.rest.TfServingRestService;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: the model registry, the inference executor and the REST listener.
 *
 * <p>{@link #start} binds the REST port first (so liveness answers while models load), then loads every configured
 * model; readiness turns true once all have a version serving. {@link #close} stops accepting connections, lets
 * every request already sent finish (up to the drain timeout), then unloads the models. Start and close are
 * meant to be called once each, from one thread.
 */
public final class InferenceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceServer.class);

    /** How long a retired version stays open for requests that found it just before it was retired. */
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(1);

    private final ServerConfig config;
    private final ModelRegistry registry;
    private final PrometheusMeterRegistry meterRegistry;
    private final ServerMetrics metrics;
    /** Counts gRPC inference calls; outside the services, with its model labels inside. */
    private final GrpcRequestObserver grpcObserver;
    private final TfServingMetrics tfServingMetrics;
    private final ModelRepositoryApi repositoryApi;
    private final ModelRunner runner;
    /** What the REST and gRPC front ends call: {@link #runner}, or a test's wrapper around it. */
    private final ModelRunner frontEndRunner;
    private final RestConnections restConnections = new RestConnections();
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    /** Where REST requests with large bodies and gRPC calls with large messages are decoded, off the event loops. */
    private EventExecutorGroup decodeWorkers;
    private Channel restChannel;
    private Channel metricsChannel;
    private GrpcServer grpcServer;
    private DomainSocketPath grpcSocket;
    private volatile boolean draining;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private boolean closed;
    private volatile VersionPoller versionPoller;
    private volatile ModelConfigReloader configReloader;

    public InferenceServer(final ServerConfig config) {
        this(config, UnaryOperator.identity());
    }

    /**
     * A server whose REST and gRPC front ends call the model runner through {@code frontEnds} (warm-up and version
     * retirement call it directly): for tests that watch what the front ends hand the runner.
     */
    InferenceServer(final ServerConfig config, final UnaryOperator<ModelRunner> frontEnds) {
        this.config = Objects.requireNonNull(config, "config");
        this.meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new ServerMetrics(meterRegistry);
        // TF Serving's own families show only at its monitoring path: without it, nothing records them.
        this.tfServingMetrics = config.monitoringPath().isEmpty() ? TfServingMetrics.NOT_EXPORTED
                : new TfServingMetrics();
        final ModelRunner direct = new DirectModelRunner(
                new InferenceExecutor(config.inferenceThreads(), config.maxQueuedRequests(), System::nanoTime),
                metrics::computed);
        // Every request, warm-up's too, passes the guard before TensorFlow: some bad shapes abort the process.
        this.runner = new InputShapeGuard(config.batching().enabled()
                ? new BatchingModelRunner(config.batching()::optionsFor, direct, meterRegistry, System::nanoTime,
                        metrics::computed, tfServingMetrics)
                : direct);
        this.frontEndRunner = Objects.requireNonNull(frontEnds.apply(runner), "frontEnds");
        this.registry = new ModelRegistry(new SavedModelLoader(config.sessionOptions()),
                warmup(config, runner, tfServingMetrics),
                (directory, success, nanos) -> tfServingMetrics.loadAttempted(directory.toString(), success, nanos),
                new LoadRetries(config.maxLoadRetries(), config.loadRetryInterval(), System::nanoTime));
        this.grpcObserver = new GrpcRequestObserver(metrics, tfServingMetrics,
                name -> registry.get(name).isPresent());
        this.repositoryApi = config.modelRepositoryApi()
                .<ModelRepositoryApi>map(repository -> new ModelRepositoryControl(repository, registry,
                        this::changeModels))
                .orElse(ModelRepositoryApi.DISABLED);
        config.models().forEach(m -> {
            final ServedModel model = registry.add(m.name(), m.basePath(), m.versions(), m.labels());
            ModelMeters.bind(meterRegistry, model);
        });
    }

    /**
     * How a version warms up before it serves ({@code --enable_model_warmup}): its recorded requests through
     * {@code runner}, or without them inputs of zeros at the batch sizes it will run at ({@code --synthetic_warmup}).
     */
    private static VersionWarmup warmup(final ServerConfig config, final ModelRunner runner,
                                        final TfServingMetrics tfServingMetrics) {
        if (!config.modelWarmup()) {
            return VersionWarmup.NONE;
        }
        final VersionWarmup withoutRequests = config.syntheticWarmup()
                ? new SyntheticWarmup(config.batching().enabled()
                        ? model -> SyntheticWarmup.batchSizes(config.batching().optionsFor(model))
                        : model -> List.of(1))
                : VersionWarmup.NONE;
        return new WarmupReplay(config.signatureMethodCheck(), config.modelWarmupIterations(), runner,
                withoutRequests, (directory, status, nanos) -> tfServingMetrics.warmupReplayed(directory.toString(),
                        status, nanos));
    }

    /**
     * Binds the REST port and loads the models. Blocks until every model has loaded or failed.
     *
     * @throws InterruptedException if interrupted while binding
     * @throws io.netty.channel.ChannelException (or another runtime exception) if the port cannot be bound
     */
    public InferenceServer start() throws InterruptedException {
        if (!config.grpcSocketPath().isEmpty()) {
            // Checked before anything is bound, so that a bad path fails the start cleanly.
            if (!Epoll.isAvailable()) {
                throw new IllegalStateException("--grpc_socket_path needs Linux and Netty's native epoll transport: "
                        + Epoll.unavailabilityCause());
            }
            grpcSocket = DomainSocketPath.prepare(config.grpcSocketPath());
        }
        final IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerChannel> channelType = Epoll.isAvailable()
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ringserve-rest-accept"), io);
        workerGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
                new DefaultThreadFactory("ringserve-rest"), io);
        // Its threads start with the first large request.
        decodeWorkers = new DefaultEventExecutorGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("ringserve-decode"));
        final JsonFactory json = JsonFactories.tfServing(config.maxRequestBytes());
        final RestResponses responses = new RestResponses(json);
        final MetricsRestService metricsService = new MetricsRestService(meterRegistry, config.monitoringPath(),
                tfServingMetrics::exposition);
        final AnswerPlacement answers = new AnswerPlacement(decodeWorkers, AnswerPlacement.DEFAULT_LARGE_ANSWER_BYTES);
        final RestRequestRouter router = new RestRequestRouter(
                new TfServingRestService(new ModelResolver(registry), frontEndRunner, json,
                        config.restApiTimeoutMillis(), System::nanoTime, config.signatureMethodCheck(),
                        tfServingMetrics.runtimeLatency(), tfServingMetrics.exampleCounts(), answers),
                new KServeRestService(new ModelResolver(registry), registry::get, frontEndRunner,
                        JsonMapper.builder(json).build(), responses, config.restApiTimeoutMillis(), System::nanoTime,
                        repositoryApi.enabled(), answers),
                new HealthRestService(registry, responses, () -> draining), metricsService,
                new RepositoryRestService(repositoryApi, JsonMapper.builder(json).build(), responses), responses);
        final RequestObserver observer = new InferenceRequestObserver(metrics, tfServingMetrics,
                name -> registry.get(name).isPresent());
        final HttpRouter restRouter = config.restCors() ? new CorsRouter(router, responses) : router;
        if (config.restPort() != 0) {
            restChannel = bind(channelType, new RestServerInitializer(restRouter, responses, observer,
                    config.maxRequestBytes(), config.restIdleTimeout(),
                    Duration.ofMillis(config.restApiTimeoutMillis()), restConnections, decodeWorkers),
                    socketPort(config.restPort()), "--rest_api_port");
            LOG.info("REST API (TF Serving /v1, KServe V2 /v2, /metrics) listening on {}",
                    restChannel.localAddress());
        } else {
            LOG.info("REST API off (--rest_api_port=0, TF Serving's default)");
        }
        if (config.metricsPort() >= 0) {
            metricsChannel = bind(channelType, new RestServerInitializer(metricsService.alone(responses), responses,
                    RequestObserver.NONE, config.maxRequestBytes(), config.restIdleTimeout(),
                    Duration.ofMillis(config.restApiTimeoutMillis()), restConnections, decodeWorkers),
                    config.metricsPort(), "--metrics_port");
            LOG.info("Prometheus metrics listening on {}", metricsChannel.localAddress());
        }
        final List<NettyServerBuilder> grpcListeners = new ArrayList<>();
        final boolean grpcOnPort = config.grpcPort() != 0;
        if (grpcOnPort) {
            final NettyServerBuilder port = grpcListener(new InetSocketAddress(config.bindAddress(),
                    socketPort(config.grpcPort())))
                    .channelType(channelType);
            // --ssl_config_file: TLS on the port, as TF Serving; the UNIX socket (same host only) stays plaintext.
            config.grpcTls().ifPresent(tls -> port.sslContext(GrpcTls.serverContext(tls)));
            grpcListeners.add(port);
        }
        if (grpcSocket != null) {
            grpcListeners.add(grpcListener(new DomainSocketAddress(grpcSocket.path().toString()))
                    .channelType(EpollServerDomainSocketChannel.class));
        }
        if (!grpcListeners.isEmpty()) {
            if (!config.grpcChannelArguments().ignored().isEmpty()) {
                LOG.warn("--grpc_channel_arguments: {} ignored: grpc-java's server has no such setting (applied: {})",
                        config.grpcChannelArguments().ignored(), config.grpcChannelArguments());
            }
            final EventLoopGroup loops = workerGroup;
            final EventExecutorGroup workers = decodeWorkers;
            grpcServer = new GrpcServer(grpcListeners, new ModelResolver(registry), frontEndRunner,
                    () -> AnswerHandoff.toCurrentLoopOf(loops, workers), config.predictOutputEncoding(),
                    config.signatureMethodCheck(),
                    this::reloadConfig, tfServingMetrics.runtimeLatency(), tfServingMetrics.exampleCounts(),
                    repositoryApi,
                    config.grpcMaxInboundMessageBytesInEffect(),
                    List.of(grpcObserver.modelLabels()),
                    new LargeMessageOffload(decodeWorkers, LargeMessageOffload.DEFAULT_OFFLOAD_BYTES,
                            config.grpcMaxInboundMessageBytesInEffect())).start();
            final List<String> grpcAddresses = new ArrayList<>();
            if (grpcOnPort) {
                grpcAddresses.add((config.grpcTls().isPresent() ? "port (TLS) " : "port ") + grpcServer.port());
            }
            if (grpcSocket != null) {
                grpcAddresses.add("unix:" + grpcSocket.path());
            }
            LOG.info("gRPC API (TF Serving PredictionService, ModelService, health, reflection) listening on {}",
                    String.join(" and ", grpcAddresses));
        }
        registry.loadAll();
        if (grpcServer != null) {
            grpcServer.setServing(registry.allAvailable());
        }
        versionPoller = new VersionPoller(registry, runner, RETIRE_GRACE,
                Duration.ofMillis(config.drainTimeoutMillis()), this::publishHealth, VersionPoller.Sleeper.SYSTEM);
        if (config.fileSystemPollWaitSeconds() > 0) {
            versionPoller.start(Duration.ofSeconds(config.fileSystemPollWaitSeconds()));
        }
        configReloader = new ModelConfigReloader(config.modelConfigFile(), config.models(), registry, meterRegistry);
        if (config.modelConfigFile().isPresent() && config.modelConfigFilePollWaitSeconds() > 0) {
            versionPoller.reconfigureEvery(Duration.ofSeconds(config.modelConfigFilePollWaitSeconds()),
                    configReloader::reload);
        }
        return this;
    }

    /** A gRPC listener on {@code address}, on the REST server's event loops. */
    private NettyServerBuilder grpcListener(final SocketAddress address) {
        final NettyServerBuilder builder = NettyServerBuilder.forAddress(address)
                // One set of event loops for REST and gRPC: no more transport threads than cores contend with the
                // batch threads. The server owns the groups and closes them after gRPC has stopped.
                .bossEventLoopGroup(bossGroup)
                .workerEventLoopGroup(workerGroup)
                // Handlers never block (they decode and schedule), so they run on the transport's threads; calls
                // with large messages move to the decode workers (LargeMessageOffload).
                .directExecutor()
                // Outside the services, to see every call's start and close (its model label is taken inside).
                .intercept(grpcObserver);
        config.grpcChannelArguments().applyTo(builder);
        return builder;
    }

    /**
     * Listens on {@code port} for {@code flag}.
     *
     * @throws IllegalStateException naming the flag, the address and why, when the port cannot be bound (in use, no
     *     permission)
     */
    private Channel bind(final Class<? extends ServerChannel> channelType, final RestServerInitializer initializer,
                         final int port, final String flag) throws InterruptedException {
        final ChannelFuture bound = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer)
                .bind(config.bindAddress(), port).await();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + config.bindAddress() + ":" + port + " (" + flag
                    + "): " + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    /** The port to bind for a configured one: {@link ServerConfig#ANY_FREE_PORT} lets the operating system pick. */
    private static int socketPort(final int configured) {
        return configured == ServerConfig.ANY_FREE_PORT ? 0 : configured;
    }

    /** The TCP port gRPC listens on; -1 when gRPC has none (off, or only on {@code --grpc_socket_path}). */
    public int grpcPort() {
        return grpcServer == null ? -1 : grpcServer.port();
    }

    /** The port {@code --metrics_port} listens on; -1 when there is none. */
    public int metricsPort() {
        return metricsChannel == null ? -1 : ((InetSocketAddress) metricsChannel.localAddress()).getPort();
    }

    /** The port REST listens on (useful when configured as any free one); -1 when REST is off. */
    public int restPort() {
        return restChannel == null ? -1 : ((InetSocketAddress) restChannel.localAddress()).getPort();
    }

    /** The meters of this server, exposed at {@code /metrics}. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The models and their versions. */
    public ModelRegistry registry() {
        return registry;
    }

    /** Blocks until {@link #close} has finished (REST may be off: no listener to wait on). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** ModelService/HandleReloadConfigRequest: serve exactly {@code models}, on the poller's thread. */
    private CompletableFuture<Void> reloadConfig(final List<ModelServerConfigFile.Model> models) {
        return changeModels(served -> models);
    }

    /**
     * Changes the models served, on the version poller's thread (so one change at a time, between polls):
     * {@code change} maps the models served now to those to serve; then new versions load and dropped ones close. A
     * change to the same models (a repository load of a model already served) looks for new versions, as a poll does.
     */
    private CompletableFuture<Void> changeModels(final UnaryOperator<List<ModelServerConfigFile.Model>> change) {
        final VersionPoller poller = versionPoller;
        final ModelConfigReloader reloader = configReloader;
        if (poller == null || reloader == null || draining) {
            return CompletableFuture.failedFuture(new ServingException(StatusCode.UNAVAILABLE,
                    "The server is starting or shutting down; retry"));
        }
        return poller.submit(() -> {
            final List<ModelServerConfigFile.Model> models = change.apply(reloader.current());
            // Applying a change refreshes the registry; the same models are refreshed here.
            return reloader.changes(models) ? reloader.apply(models) : registry.refresh();
        });
    }

    /** gRPC health follows the models, unless the server is draining. */
    private void publishHealth() {
        if (grpcServer != null && !draining) {
            grpcServer.setServing(registry.allAvailable());
        }
    }

    /** Loads new versions and retires old ones now, as a poll does; for tests. Blocks meanwhile. */
    void pollVersionsNow() throws InterruptedException {
        versionPoller.pollNow();
    }

    /** Reads the model config file again now, as a reload does; for tests. Blocks meanwhile. */
    void reloadModelConfigNow() throws InterruptedException {
        versionPoller.retireAll(configReloader::reload);
    }

    /**
     * Shuts down gracefully, within the drain timeout ({@code --drain_timeout_ms}) in all: readiness turns 503 and
     * gRPC health NOT_SERVING at once; the listeners stop accepting connections; gRPC clients are told to go away
     * (HTTP/2 GOAWAY) and their calls in flight finish; idle REST connections close once quiet, and busy ones answer
     * every request they have read, the last answer with {@code Connection: close}; the batching queues then empty and
     * the models are unloaded. The model runner takes requests until the connections are done, so no request a
     * client has sent is refused for the shutdown; what is still running at the timeout is cancelled. A second call
     * waits for the first to finish and does nothing more.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        draining = true;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMillis());
        try {
            if (versionPoller != null) {
                // No new polls; one under way goes on, and is waited for once the requests are answered, so that
                // a long model load does not spend the drain time the front ends need.
                versionPoller.stopPolling();
            }
            if (grpcServer != null) {
                grpcServer.stopAccepting();
            }
            if (restChannel != null) {
                restChannel.close().syncUninterruptibly();
            }
            if (metricsChannel != null) {
                metricsChannel.close().syncUninterruptibly();
            }
            restConnections.drain();
            if (!restConnections.awaitClosed(timeLeft(deadline))) {
                LOG.warn("{} REST connections still open (answering, or reading a request) after the {} ms drain "
                        + "timeout", restConnections.size(),
                        config.drainTimeoutMillis());
            }
            if (grpcServer != null) {
                grpcServer.awaitTermination(timeLeft(deadline));
            }
            if (!runner.shutdown(timeLeft(deadline))) {
                LOG.warn("Requests still running after the {} ms drain timeout", config.drainTimeoutMillis());
            }
            if (versionPoller != null) {
                // Retired versions have no requests left by now: their grace period is what remains to wait.
                final Duration left = timeLeft(deadline);
                versionPoller.close(left.compareTo(RETIRE_GRACE) > 0 ? left : RETIRE_GRACE.plusSeconds(1));
            }
            if (grpcSocket != null) {
                grpcSocket.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdownGroup(workerGroup);
            shutdownGroup(bossGroup);
            shutdownGroup(decodeWorkers);
            registry.close();
            terminated.countDown();
        }
    }

    private static Duration timeLeft(final long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static void shutdownGroup(final EventExecutorGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
