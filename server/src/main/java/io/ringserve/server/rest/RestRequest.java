package io.ringserve.server.rest;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.ringserve.server.inference.ServingException;
import java.util.Objects;

/**
 * One REST request as the router and the request observer both see it: the aggregated HTTP request, its path
 * (without the query string) decoded once, and its TF Serving route parsed once, on first use, for both.
 * Confined to the connection's event loop, like the request itself; not thread-safe.
 */
public final class RestRequest {
    private final FullHttpRequest http;
    private final String path;
    private TfServingRoute route;
    private ServingException malformed;

    public RestRequest(final FullHttpRequest http) {
        this(http, new QueryStringDecoder(http.uri()).rawPath());
    }

    private RestRequest(final FullHttpRequest http, final String path) {
        this.http = Objects.requireNonNull(http, "http");
        this.path = path;
    }

    /** The same request with another HTTP form of it (its body decompressed), for the router. */
    RestRequest withHttp(final FullHttpRequest other) {
        return new RestRequest(other, path);
    }

    /** The HTTP request; its body is released once the router has returned. */
    public FullHttpRequest http() {
        return http;
    }

    /** The raw path, without the query string. */
    public String path() {
        return path;
    }

    /** True when the path belongs to TF Serving's API ({@code /v1/...}). */
    public boolean isTfServing() {
        return TfServingRoute.handles(path);
    }

    /**
     * The TF Serving route of this request, parsed on the first call.
     *
     * @throws ServingException the same one on every call, when the path or method is not a TF Serving route
     */
    public TfServingRoute tfServingRoute() {
        if (route == null && malformed == null) {
            try {
                route = TfServingRoute.parse(http.method().name(), path);
            } catch (ServingException e) {
                malformed = e;
            }
        }
        if (malformed != null) {
            throw malformed;
        }
        return route;
    }
}
