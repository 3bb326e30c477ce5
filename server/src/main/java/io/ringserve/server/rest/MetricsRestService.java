package io.ringserve.server.rest;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.ringserve.server.inference.ServingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Serves the Prometheus text exposition at {@code /metrics} and, when TF Serving's monitoring config asks for it,
 * at its path too ({@code /monitoring/prometheus/metrics} by default). Thread-safe.
 */
public final class MetricsRestService {
    /** The path Prometheus scrapes by default. */
    public static final String METRICS_PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Set<String> paths;
    private final String tfServingPath;
    private final Supplier<String> tfServingExposition;

    /**
     * Serves the exposition at {@value #METRICS_PATH} and, when it is set, at TF Serving's monitoring path.
     *
     * @param tfServingPath TF Serving's monitoring path ({@code --monitoring_config_file}), or empty: there the
     *     exposition is followed by TF Serving's own metrics
     * @param tfServingExposition TF Serving's metrics in its exposition ({@link
     *     io.ringserve.server.metrics.TfServingMetrics#exposition})
     */
    public MetricsRestService(final PrometheusMeterRegistry registry, final String tfServingPath,
                              final Supplier<String> tfServingExposition) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tfServingPath = Objects.requireNonNull(tfServingPath, "tfServingPath");
        // TF Serving's path may be /metrics itself (what Prometheus scrapes by default): then it serves both.
        this.paths = tfServingPath.isEmpty() ? Set.of(METRICS_PATH) : Set.copyOf(List.of(METRICS_PATH, tfServingPath));
        this.tfServingExposition = Objects.requireNonNull(tfServingExposition, "tfServingExposition");
    }

    /** The paths that answer with the exposition. */
    public Set<String> paths() {
        return paths;
    }

    /** True when {@code path} is one of the exposition's paths. */
    public boolean serves(final String path) {
        return paths.contains(path);
    }

    /**
     * A router for a port of the exposition's own ({@code --metrics_port}): the exposition for GET or HEAD of its
     * paths, 405 with {@code Allow} for another method, 404 naming the paths for any other path.
     */
    public HttpRouter alone(final RestResponses responses) {
        return (request, executor, alloc) -> {
            try {
                if (!serves(request.path())) {
                    throw ServingException.notFound("This port serves only " + paths);
                }
                RestResponses.MethodNotAllowedException.requireOneOf(request.http().method(), request.path(),
                        RestResponses.MethodNotAllowedException.GET_OR_HEAD);
                return CompletableFuture.completedFuture(scrape(alloc, request.path()));
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(responses.error(alloc, e));
            }
        };
    }

    /** The exposition for {@code path}, one of the paths {@link #serves}. */
    public FullHttpResponse scrape(final ByteBufAllocator alloc, final String path) {
        final String exposition = tfServingPath.equals(path)
                ? registry.scrape() + tfServingExposition.get() : registry.scrape();
        final byte[] text = exposition.getBytes(StandardCharsets.UTF_8);
        final ByteBuf body = alloc.buffer(text.length).writeBytes(text);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
        return response;
    }
}
