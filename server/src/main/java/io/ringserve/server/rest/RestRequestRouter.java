package io.ringserve.server.rest;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.ringserve.server.inference.ServingException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The REST port's router: TF Serving's {@code /v1} API, KServe V2's {@code /v2} (inference, metadata, health, the
 * model repository extension) and the Prometheus exposition; every failure becomes an error response. Thread-safe; shared by all connections.
 */
public final class RestRequestRouter implements HttpRouter {
    private final TfServingRestService tfServing;
    private final KServeRestService kserve;
    private final HealthRestService health;
    private final MetricsRestService metrics;
    private final RepositoryRestService repository;
    private final RestResponses responses;

    public RestRequestRouter(final TfServingRestService tfServing, final KServeRestService kserve,
                             final HealthRestService health, final MetricsRestService metrics,
                             final RepositoryRestService repository, final RestResponses responses) {
        this.tfServing = Objects.requireNonNull(tfServing, "tfServing");
        this.kserve = Objects.requireNonNull(kserve, "kserve");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.health = Objects.requireNonNull(health, "health");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.responses = Objects.requireNonNull(responses, "responses");
    }

    @Override
    public CompletableFuture<FullHttpResponse> route(final ChannelHandlerContext ctx, final RestRequest call) {
        try {
            final FullHttpRequest request = call.http();
            final String path = call.path();
            if (call.isTfServing()) {
                return tfServing.handle(call, ctx.executor(), ctx.alloc())
                        .exceptionally(failure -> responses.error(ctx.alloc(), failure));
            }
            if (repository.serves(path)) {
                return repository.handle(call, ctx.alloc())
                        .exceptionally(failure -> responses.error(ctx.alloc(), failure));
            }
            if (kserve.serves(path)) {
                return kserve.handle(call, ctx.executor(), ctx.alloc())
                        .exceptionally(failure -> responses.error(ctx.alloc(), failure));
            }
            if (HttpMethod.GET.equals(request.method()) && HealthRestService.LIVE_PATH.equals(path)) {
                return CompletableFuture.completedFuture(health.live(ctx.alloc()));
            }
            if (HttpMethod.GET.equals(request.method()) && HealthRestService.READY_PATH.equals(path)) {
                return CompletableFuture.completedFuture(health.ready(ctx.alloc()));
            }
            if (HttpMethod.GET.equals(request.method()) && metrics.serves(path)) {
                return CompletableFuture.completedFuture(metrics.scrape(ctx.alloc(), path));
            }
            return CompletableFuture.completedFuture(responses.error(ctx.alloc(), ServingException.notFound(
                    "No handler for " + request.method() + " " + path)));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(responses.error(ctx.alloc(), e));
        }
    }
}
