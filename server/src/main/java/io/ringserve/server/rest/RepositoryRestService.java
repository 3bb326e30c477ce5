package io.ringserve.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.ringserve.server.inference.ModelRepositoryApi;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * KServe V2's model repository extension over REST: {@code POST /v2/repository/index} (Triton's list of models
 * and their versions' states; a body {@code {"ready": true}} keeps the ready ones), and
 * {@code POST /v2/repository/models/{m}/load} and {@code .../unload}, answered {@code {"name": m, "load": true}}
 * and {@code {"name": m, "unload": true}} as KServe's model servers answer, once done. Thread-safe.
 */
public final class RepositoryRestService {
    static final String PREFIX = "/v2/repository/";
    private static final String INDEX_PATH = "/v2/repository/index";
    private static final String MODELS_PREFIX = "/v2/repository/models/";

    private final ModelRepositoryApi repository;
    private final ObjectMapper json;
    private final RestResponses responses;

    public RepositoryRestService(final ModelRepositoryApi repository, final ObjectMapper json,
                                 final RestResponses responses) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.json = Objects.requireNonNull(json, "json");
        this.responses = Objects.requireNonNull(responses, "responses");
    }

    /** Whether {@code path} is one of this service's. */
    public boolean serves(final String path) {
        return path.startsWith(PREFIX);
    }

    /** Answers {@code call}; failures come back as error responses in the future. */
    public CompletableFuture<FullHttpResponse> handle(final RestRequest call, final ByteBufAllocator alloc) {
        final FullHttpRequest request = call.http();
        final String path = call.path();
        if (path.equals(INDEX_PATH)) {
            requirePost(request, path);
            return CompletableFuture.completedFuture(index(readyOnly(request), alloc));
        }
        if (path.startsWith(MODELS_PREFIX)) {
            final String rest = path.substring(MODELS_PREFIX.length());
            final int slash = rest.lastIndexOf('/');
            if (slash > 0) {
                final String model = QueryStringDecoder.decodeComponent(rest.substring(0, slash));
                final String action = rest.substring(slash + 1);
                if (action.equals("load")) {
                    requirePost(request, path);
                    return repository.load(model).thenApply(done -> answer(model, "load", alloc));
                }
                if (action.equals("unload")) {
                    requirePost(request, path);
                    return repository.unload(model).thenApply(done -> answer(model, "unload", alloc));
                }
            }
        }
        throw ServingException.notFound("No handler for " + request.method() + " " + path);
    }

    /** The repository extension's paths are served with POST alone: another method is 405 with {@code Allow}. */
    private static void requirePost(final FullHttpRequest request, final String path) {
        RestResponses.MethodNotAllowedException.requireOneOf(request.method(), path, List.of(HttpMethod.POST));
    }

    private boolean readyOnly(final FullHttpRequest request) {
        if (!request.content().isReadable()) {
            return false;
        }
        try (InputStream in = new ByteBufInputStream(request.content().duplicate())) {
            final JsonNode body = json.readTree(in);
            final JsonNode ready = body == null ? null : body.get("ready");
            if (ready != null && !ready.isBoolean()) {
                throw ServingException.invalidArgument("'ready' must be a boolean, got " + ready);
            }
            return ready != null && ready.booleanValue();
        } catch (IOException e) {
            throw ServingException.invalidArgument("The repository index request is not JSON: " + e.getMessage());
        }
    }

    private FullHttpResponse index(final boolean readyOnly, final ByteBufAllocator alloc) {
        final List<ModelRepositoryApi.Entry> entries = repository.index().stream()
                .filter(entry -> !readyOnly || entry.state().filter("READY"::equals).isPresent())
                .toList();
        return responses.json(alloc, HttpResponseStatus.OK, out -> {
            try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                gen.writeStartArray();
                for (ModelRepositoryApi.Entry entry : entries) {
                    gen.writeStartObject();
                    gen.writeStringField("name", entry.name());
                    if (entry.version().isPresent()) {
                        gen.writeStringField("version", entry.version().get());
                    }
                    if (entry.state().isPresent()) {
                        gen.writeStringField("state", entry.state().get());
                    }
                    if (entry.reason().isPresent()) {
                        gen.writeStringField("reason", entry.reason().get());
                    }
                    gen.writeEndObject();
                }
                gen.writeEndArray();
            }
        });
    }

    private FullHttpResponse answer(final String model, final String action, final ByteBufAllocator alloc) {
        return responses.json(alloc, HttpResponseStatus.OK, out -> {
            try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                gen.writeStartObject();
                gen.writeStringField("name", model);
                gen.writeBooleanField(action, true);
                gen.writeEndObject();
            }
        });
    }
}
