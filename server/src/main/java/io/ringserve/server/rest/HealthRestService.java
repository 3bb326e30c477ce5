package io.ringserve.server.rest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.ServedModel;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The KServe V2 health probes: {@code GET /v2/health/live} answers 200 {@code {"live": true}} while the process
 * serves HTTP; {@code GET /v2/health/ready} answers 200 {@code {"ready": true}} once every configured model has a
 * version serving, and 503 with an {@code {"error"}} naming the models that are not before that, or once the server
 * has begun shutting down. Another method than GET or HEAD is answered 405 with {@code Allow: GET, HEAD}
 * ({@link RestRequestRouter}). Thread-safe.
 */
public final class HealthRestService {
    public static final String LIVE_PATH = "/v2/health/live";
    public static final String READY_PATH = "/v2/health/ready";

    private final ModelRegistry registry;
    private final RestResponses responses;
    private final BooleanSupplier draining;

    /**
     * @param draining true once the server is shutting down: readiness then answers 503 so that load balancers
     *     stop sending work while queued requests finish
     */
    public HealthRestService(final ModelRegistry registry, final RestResponses responses,
                             final BooleanSupplier draining) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.responses = Objects.requireNonNull(responses, "responses");
        this.draining = Objects.requireNonNull(draining, "draining");
    }

    public FullHttpResponse live(final ByteBufAllocator alloc) {
        return responses.json(alloc, HttpResponseStatus.OK,
                out -> out.write("{\"live\":true}".getBytes(StandardCharsets.US_ASCII)));
    }

    public FullHttpResponse ready(final ByteBufAllocator alloc) {
        if (draining.getAsBoolean()) {
            return responses.error(alloc, new ServingException(StatusCode.UNAVAILABLE,
                    "Not ready: the server is shutting down"));
        }
        if (registry.allAvailable()) {
            return responses.json(alloc, HttpResponseStatus.OK,
                    out -> out.write("{\"ready\":true}".getBytes(StandardCharsets.US_ASCII)));
        }
        final String waiting = registry.all().stream().filter(m -> !m.isAvailable()).map(ServedModel::name)
                .collect(Collectors.joining(", "));
        return responses.error(alloc, new ServingException(StatusCode.UNAVAILABLE,
                "Not ready: no version serving yet for model(s) " + waiting));
    }
}
