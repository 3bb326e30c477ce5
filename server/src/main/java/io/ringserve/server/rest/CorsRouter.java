package io.ringserve.server.rest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * TF Serving's {@code --rest_api_enable_cors_support}: every answer of {@code delegate} carries
 * {@code Access-Control-Allow-Origin: *}, {@code Access-Control-Allow-Methods: POST, GET} and
 * {@code Access-Control-Allow-Headers: Content-Type}, and a preflight {@code OPTIONS} request is answered 200 when it
 * names an {@code http(s)://} {@code Origin}, else 400 (FAILED_PRECONDITION). Thread-safe when the delegate is.
 */
public final class CorsRouter implements HttpRouter {
    private static final Pattern WEB_ORIGIN = Pattern.compile("^https?://.+");

    private final HttpRouter delegate;
    private final RestResponses responses;

    public CorsRouter(final HttpRouter delegate, final RestResponses responses) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.responses = Objects.requireNonNull(responses, "responses");
    }

    @Override
    public CompletableFuture<FullHttpResponse> route(final RestRequest request, final EventExecutor executor,
                                                     final ByteBufAllocator alloc) {
        if (HttpMethod.OPTIONS.equals(request.http().method())) {
            final String origin = request.http().headers().get(HttpHeaderNames.ORIGIN, "");
            final FullHttpResponse answer = WEB_ORIGIN.matcher(origin).matches()
                    ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER)
                    : responses.error(alloc, new ServingException(StatusCode.FAILED_PRECONDITION,
                            "A CORS preflight (OPTIONS) request needs an Origin header of an http:// or https:// "
                                    + "origin, got '" + origin + "'"));
            answer.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.content().readableBytes());
            return CompletableFuture.completedFuture(withCorsHeaders(answer));
        }
        return delegate.route(request, executor, alloc).thenApply(CorsRouter::withCorsHeaders);
    }

    private static FullHttpResponse withCorsHeaders(final FullHttpResponse response) {
        final HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET");
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
        return response;
    }
}
