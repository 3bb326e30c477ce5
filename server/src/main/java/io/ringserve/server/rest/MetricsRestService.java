package io.ringserve.server.rest;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

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

    /**
     * @param paths the paths that answer with the exposition
     */
    public MetricsRestService(final PrometheusMeterRegistry registry, final Set<String> paths) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.paths = Set.copyOf(paths);
    }

    /** True when {@code path} is one of the exposition's paths. */
    public boolean serves(final String path) {
        return paths.contains(path);
    }

    public FullHttpResponse scrape(final ByteBufAllocator alloc) {
        final byte[] text = registry.scrape().getBytes(StandardCharsets.UTF_8);
        final ByteBuf body = alloc.buffer(text.length).writeBytes(text);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
        return response;
    }
}
