package io.ringserve.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelState;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.models.VersionStatus;
import io.ringserve.server.codec.V2Tensors;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.ModelSelector;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * KServe V2 (Open Inference Protocol) over REST, beside TF Serving's {@code /v1}: server metadata ({@code GET /v2}),
 * model metadata and readiness ({@code GET /v2/models/{m}[/versions/{v}][/ready]}) and inference
 * ({@code POST /v2/models/{m}[/versions/{v}]/infer}, JSON tensors) on the model's {@code serving_default} signature,
 * through the same runner (and batcher) as {@code /v1}. Versions are TF Serving's integer versions as strings.
 * Errors answer {@code {"error": ...}} with the status of their code. Thread-safe.
 */
public final class KServeRestService {
    static final String SERVER_PATH = "/v2";
    static final String MODELS_PREFIX = "/v2/models/";
    private static final String PLATFORM = "tensorflow_savedmodel";

    private final ModelResolver resolver;
    private final java.util.function.Function<String, Optional<ServedModel>> models;
    private final ModelRunner runner;
    private final ObjectMapper json;
    private final RestResponses responses;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;

    /**
     * @param models the served model of a name, for its versions
     * @param timeoutMillis the deadline of an inference ({@code --rest_api_timeout_in_ms})
     */
    public KServeRestService(final ModelResolver resolver,
                             final java.util.function.Function<String, Optional<ServedModel>> models,
                             final ModelRunner runner, final ObjectMapper json, final RestResponses responses,
                             final long timeoutMillis, final LongSupplier nanoClock) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.models = Objects.requireNonNull(models, "models");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.json = Objects.requireNonNull(json, "json");
        this.responses = Objects.requireNonNull(responses, "responses");
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** Whether {@code path} is one of this service's. */
    public boolean serves(final String path) {
        return path.equals(SERVER_PATH) || path.startsWith(MODELS_PREFIX);
    }

    /** Answers {@code call}; failures come back as error responses in the future. */
    public CompletableFuture<FullHttpResponse> handle(final RestRequest call, final EventExecutor eventLoop,
                                                      final ByteBufAllocator alloc) {
        final FullHttpRequest request = call.http();
        final String path = call.path();
        if (path.equals(SERVER_PATH)) {
            requireMethod(request, HttpMethod.GET, path);
            return done(responses.json(alloc, HttpResponseStatus.OK, out -> {
                try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                    gen.writeStartObject();
                    gen.writeStringField("name", "ringserve");
                    gen.writeStringField("version", "0.1.0");
                    gen.writeArrayFieldStart("extensions");
                    gen.writeEndArray();
                    gen.writeEndObject();
                }
            }));
        }
        final Route route = Route.parse(path.substring(MODELS_PREFIX.length()));
        return switch (route.action()) {
            case "" -> {
                requireMethod(request, HttpMethod.GET, path);
                yield done(metadata(route, alloc));
            }
            case "ready" -> {
                requireMethod(request, HttpMethod.GET, path);
                yield done(ready(route, alloc));
            }
            case "infer" -> {
                requireMethod(request, HttpMethod.POST, path);
                yield infer(route, request, eventLoop, alloc);
            }
            default -> throw ServingException.notFound("No handler for " + request.method() + " " + path);
        };
    }

    private static CompletableFuture<FullHttpResponse> done(final FullHttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    private static void requireMethod(final FullHttpRequest request, final HttpMethod method, final String path) {
        if (!method.equals(request.method())) {
            throw new ServingException(StatusCode.UNIMPLEMENTED, request.method() + " " + path
                    + " is not served; use " + method);
        }
    }

    private FullHttpResponse metadata(final Route route, final ByteBufAllocator alloc) {
        final LoadedModel model = resolver.model(route.selector());
        final SignatureSpec signature = ModelResolver.signature(model, "");
        final List<String> versions = route.version().isPresent() ? List.of(Long.toString(model.version()))
                : models.apply(route.model()).map(KServeRestService::servingVersions).orElse(List.of());
        return responses.json(alloc, HttpResponseStatus.OK, out -> {
            try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                gen.writeStartObject();
                gen.writeStringField("name", route.model());
                gen.writeArrayFieldStart("versions");
                for (String version : versions) {
                    gen.writeString(version);
                }
                gen.writeEndArray();
                gen.writeStringField("platform", PLATFORM);
                writeSpecs("inputs", signature.inputs().values(), gen);
                writeSpecs("outputs", signature.outputs().values(), gen);
                gen.writeEndObject();
            }
        });
    }

    private static List<String> servingVersions(final ServedModel model) {
        return model.statuses().stream().filter(status -> status.state() == ModelState.AVAILABLE)
                .map(VersionStatus::version).map(String::valueOf).toList();
    }

    private static void writeSpecs(final String field, final Iterable<TensorSpec> specs, final JsonGenerator gen)
            throws IOException {
        gen.writeArrayFieldStart(field);
        for (TensorSpec spec : specs) {
            gen.writeStartObject();
            gen.writeStringField("name", spec.alias());
            gen.writeStringField("datatype", spec.dtype().flatMap(V2Tensors::datatype).orElse(spec.dtypeName()));
            gen.writeArrayFieldStart("shape");
            if (spec.shape().isPresent() && !spec.shape().get().unknownRank()) {
                for (long dim : spec.shape().get().dims()) {
                    gen.writeNumber(dim);
                }
            }
            gen.writeEndArray();
            gen.writeEndObject();
        }
        gen.writeEndArray();
    }

    private FullHttpResponse ready(final Route route, final ByteBufAllocator alloc) {
        if (models.apply(route.model()).isEmpty()) {
            throw ServingException.notFound("Model " + route.model() + " is not served here");
        }
        try {
            resolver.model(route.selector());
        } catch (ServingException e) {
            throw new ServingException(StatusCode.UNAVAILABLE, "Model " + route.model()
                    + route.version().stream().mapToObj(v -> " version " + v).findFirst().orElse("")
                    + " is not ready: " + e.getMessage());
        }
        return responses.json(alloc, HttpResponseStatus.OK, out -> {
            try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                gen.writeStartObject();
                gen.writeStringField("name", route.model());
                gen.writeBooleanField("ready", true);
                gen.writeEndObject();
            }
        });
    }

    private CompletableFuture<FullHttpResponse> infer(final Route route, final FullHttpRequest request,
                                                      final EventExecutor eventLoop, final ByteBufAllocator alloc) {
        final LoadedModel model = resolver.model(route.selector());
        final SignatureSpec signature = ModelResolver.signature(model, "");
        final JsonNode body = body(request);
        final JsonNode id = body.get("id");
        final Map<String, HostTensor> inputs = inputs(signature, body.get("inputs"));
        final List<String> outputs = outputs(signature, body.get("outputs"));
        final CompletableFuture<Map<String, HostTensor>> result = runner.run(model, signature, inputs, outputs,
                nanoClock.getAsLong() + timeoutNanos);
        final ScheduledFuture<?> timeout = eventLoop.schedule(() -> result.completeExceptionally(
                new ServingException(StatusCode.DEADLINE_EXCEEDED, "Request timed out after "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms")), timeoutNanos, TimeUnit.NANOSECONDS);
        return result.handleAsync((tensors, failure) -> {
            timeout.cancel(false);
            if (failure != null) {
                return responses.error(alloc, failure);
            }
            return responses.json(alloc, HttpResponseStatus.OK, out -> {
                try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                    gen.writeStartObject();
                    gen.writeStringField("model_name", route.model());
                    gen.writeStringField("model_version", Long.toString(model.version()));
                    if (id != null && id.isTextual()) {
                        gen.writeStringField("id", id.textValue());
                    }
                    gen.writeArrayFieldStart("outputs");
                    for (Map.Entry<String, HostTensor> output : tensors.entrySet()) {
                        V2Tensors.write(output.getKey(), output.getValue(), gen);
                    }
                    gen.writeEndArray();
                    gen.writeEndObject();
                }
            });
        }, eventLoop);
    }

    private JsonNode body(final FullHttpRequest request) {
        final JsonNode body;
        try (ByteBufInputStream in = new ByteBufInputStream(request.content().duplicate())) {
            body = json.readTree(in);
        } catch (JsonProcessingException e) {
            throw ServingException.invalidArgument("The request body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ServingException.invalidArgument("The request body cannot be read: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw ServingException.invalidArgument("The request body must be a JSON object with 'inputs'");
        }
        return body;
    }

    private static Map<String, HostTensor> inputs(final SignatureSpec signature, final JsonNode inputs) {
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw ServingException.invalidArgument("The request needs an 'inputs' array; the model's inputs are "
                    + signature.inputs().keySet());
        }
        final Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (JsonNode input : inputs) {
            final JsonNode name = input.get("name");
            if (name == null || !name.isTextual()) {
                throw ServingException.invalidArgument("Every input needs a string 'name'");
            }
            final TensorSpec spec = signature.inputs().get(name.textValue());
            if (spec == null) {
                throw ServingException.invalidArgument("Unknown input '" + name.textValue() + "'; the model's "
                        + "inputs are " + signature.inputs().keySet());
            }
            if (spec.dtype().isEmpty()) {
                throw ServingException.invalidArgument("Input '" + spec.alias() + "' has type " + spec.dtypeName()
                        + ", which ringserve cannot feed");
            }
            if (tensors.put(spec.alias(), V2Tensors.read(spec.alias(), input, spec.dtype().get())) != null) {
                throw ServingException.invalidArgument("input '" + spec.alias() + "' is given twice");
            }
        }
        for (String alias : signature.inputs().keySet()) {
            if (!tensors.containsKey(alias)) {
                throw ServingException.invalidArgument("input '" + alias + "' is missing; the model's inputs are "
                        + signature.inputs().keySet());
            }
        }
        return tensors;
    }

    private static List<String> outputs(final SignatureSpec signature, final JsonNode requested) {
        if (requested == null) {
            return signature.outputAliases();
        }
        if (!requested.isArray()) {
            throw ServingException.invalidArgument("'outputs' must be an array of {\"name\": ...}");
        }
        final Set<String> names = new LinkedHashSet<>();
        for (JsonNode output : requested) {
            final JsonNode name = output.get("name");
            if (name == null || !name.isTextual()) {
                throw ServingException.invalidArgument("Every requested output needs a string 'name'");
            }
            if (output.path("parameters").path("binary_data").asBoolean(false)) {
                throw ServingException.invalidArgument("output '" + name.textValue() + "': the binary tensor data "
                        + "extension (binary_data) is not served yet");
            }
            if (!signature.outputs().containsKey(name.textValue())) {
                throw ServingException.invalidArgument("Unknown output '" + name.textValue() + "'; the model's "
                        + "outputs are " + signature.outputs().keySet());
            }
            if (!names.add(name.textValue())) {
                throw ServingException.invalidArgument("output '" + name.textValue()
                        + "' already exists in request");
            }
        }
        return new ArrayList<>(names);
    }

    /** {@code {m}[/versions/{v}][/ready|/infer]}, the part of the path after {@code /v2/models/}. */
    private record Route(String model, OptionalLong version, String action) {
        static Route parse(final String rest) {
            final String[] parts = rest.split("/", -1);
            final String model = QueryStringDecoder.decodeComponent(parts[0]);
            if (model.isEmpty()) {
                throw ServingException.notFound("No model named in /v2/models/" + rest);
            }
            int next = 1;
            OptionalLong version = OptionalLong.empty();
            if (parts.length > 2 && parts[1].equals("versions")) {
                try {
                    version = OptionalLong.of(Long.parseLong(parts[2]));
                } catch (NumberFormatException e) {
                    throw ServingException.notFound("Model " + model + " has no version '" + parts[2]
                            + "' (versions are integers)");
                }
                next = 3;
            }
            final String action = parts.length > next ? parts[next] : "";
            if (parts.length > next + 1 || (parts.length > next && action.isEmpty())) {
                throw ServingException.notFound("No handler for /v2/models/" + rest);
            }
            return new Route(model, version, action);
        }

        ModelSelector selector() {
            return new ModelSelector(model, version, Optional.empty());
        }
    }
}
