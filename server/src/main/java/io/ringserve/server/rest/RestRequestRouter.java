package io.ringserve.server.rest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.EventExecutor;
import io.ringserve.server.inference.ServingException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The REST port's router: TF Serving's {@code /v1} API, KServe V2's {@code /v2} (inference, metadata, health, the
 * model repository extension) and the Prometheus exposition; every failure becomes an error response. The health
 * probes and the exposition asked with another method than GET or HEAD answer 405 with {@code Allow}; a path no
 * service has, 404. Thread-safe; shared by all connections.
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
    public CompletableFuture<FullHttpResponse> route(final RestRequest call, final EventExecutor executor,
                                                     final ByteBufAllocator alloc) {
        try {
            final FullHttpRequest request = call.http();
            final String path = call.path();
            // First, as TF Serving matches its Prometheus path before its REST API: a monitoring path may be any.
            if (metrics.serves(path)) {
                RestResponses.MethodNotAllowedException.requireOneOf(request.method(), path,
                        RestResponses.MethodNotAllowedException.GET_OR_HEAD);
                return CompletableFuture.completedFuture(metrics.scrape(alloc, path));
            }
            if (call.isTfServing()) {
                return tfServing.handle(call, executor, alloc)
                        .exceptionally(failure -> responses.error(alloc, failure));
            }
            if (repository.serves(path)) {
                return repository.handle(call, alloc)
                        .exceptionally(failure -> responses.error(alloc, failure));
            }
            if (kserve.serves(path)) {
                return kserve.handle(call, executor, alloc)
                        .exceptionally(failure -> responses.error(alloc, failure));
            }
            if (HealthRestService.LIVE_PATH.equals(path)) {
                RestResponses.MethodNotAllowedException.requireOneOf(request.method(), path,
                        RestResponses.MethodNotAllowedException.GET_OR_HEAD);
                return CompletableFuture.completedFuture(health.live(alloc));
            }
            if (HealthRestService.READY_PATH.equals(path)) {
                RestResponses.MethodNotAllowedException.requireOneOf(request.method(), path,
                        RestResponses.MethodNotAllowedException.GET_OR_HEAD);
                return CompletableFuture.completedFuture(health.ready(alloc));
            }
            return CompletableFuture.completedFuture(responses.error(alloc, ServingException.notFound(
                    "No handler for " + request.method() + " " + path)));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(responses.error(alloc, e));
        }
    }

}
