package io.ringserve.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.codec.V2InferRequestDecoder;
import io.ringserve.server.codec.V2RawInput;
import io.ringserve.server.codec.V2Tensors;
import io.ringserve.server.inference.ModelRepositoryApi;
import io.ringserve.server.inference.ModelLease;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.ModelSelector;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * KServe V2 (Open Inference Protocol) over REST, beside TF Serving's {@code /v1}: server metadata ({@code GET /v2}),
 * model metadata and readiness ({@code GET /v2/models/{m}[/versions/{v}][/ready]}) and inference
 * ({@code POST /v2/models/{m}[/versions/{v}]/infer}: JSON tensors, and the binary tensor data extension for inputs
 * and outputs) on the model's {@code serving_default} signature,
 * through the same runner (and batcher) as {@code /v1}. Versions are TF Serving's integer versions as strings.
 * Errors answer {@code {"error": ...}} with the status of their code. Thread-safe.
 */
public final class KServeRestService {
    /** The binary tensor data extension's header: the length of the JSON part of a body. */
    static final String HEADER_LENGTH = V2InferRequestDecoder.HEADER_LENGTH;
    static final String SERVER_PATH = "/v2";
    static final String MODELS_PREFIX = "/v2/models/";
    /** KServe's list of the models served ({@code {"models": [...]}}), beside the protocol's own endpoints. */
    static final String MODELS_PATH = "/v2/models";
    private static final String PLATFORM = "tensorflow_savedmodel";
    private static final String BINARY_TENSOR_DATA = "binary_tensor_data";

    private final ModelResolver resolver;
    private final java.util.function.Function<String, Optional<ServedModel>> models;
    private final ModelRunner runner;
    private final ObjectMapper json;
    private final V2InferRequestDecoder requests;
    private final RestResponses responses;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final AnswerPlacement answers;
    private final List<String> extensions;

    /**
     * @param models the served model of a name, for its versions
     * @param timeoutMillis the deadline of an inference ({@code --rest_api_timeout_in_ms})
     * @param modelRepository whether the server serves the model repository extension, listed in {@code /v2}
     */
    public KServeRestService(final ModelResolver resolver,
                             final java.util.function.Function<String, Optional<ServedModel>> models,
                             final ModelRunner runner, final ObjectMapper json, final RestResponses responses,
                             final long timeoutMillis, final LongSupplier nanoClock, final boolean modelRepository,
                             final AnswerPlacement answers) {
        this.extensions = modelRepository ? List.of(BINARY_TENSOR_DATA, ModelRepositoryApi.EXTENSION)
                : List.of(BINARY_TENSOR_DATA);
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.models = Objects.requireNonNull(models, "models");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.json = Objects.requireNonNull(json, "json");
        this.requests = new V2InferRequestDecoder(json);
        this.responses = Objects.requireNonNull(responses, "responses");
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.answers = Objects.requireNonNull(answers, "answers");
    }

    /** Whether {@code path} is one of this service's. */
    public boolean serves(final String path) {
        return path.equals(SERVER_PATH) || path.equals(MODELS_PATH) || path.startsWith(MODELS_PREFIX);
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
                    for (String extension : extensions) {
                        gen.writeString(extension);
                    }
                    gen.writeEndArray();
                    gen.writeEndObject();
                }
            }));
        }
        if (path.equals(MODELS_PATH)) {
            requireMethod(request, HttpMethod.GET, path);
            final List<String> names = resolver.registry().all().stream().map(ServedModel::name).sorted().toList();
            return done(responses.json(alloc, HttpResponseStatus.OK, out -> {
                try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                    gen.writeStartObject();
                    gen.writeArrayFieldStart("models");
                    for (String name : names) {
                        gen.writeString(name);
                    }
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

    /** Refuses any other method than {@code method}; HEAD is taken where GET is, and answered without the body. */
    private static void requireMethod(final FullHttpRequest request, final HttpMethod method, final String path) {
        RestResponses.MethodNotAllowedException.requireOneOf(request.method(), path, HttpMethod.GET.equals(method)
                ? RestResponses.MethodNotAllowedException.GET_OR_HEAD : List.of(method));
    }

    private FullHttpResponse metadata(final Route route, final ByteBufAllocator alloc) {
        final LoadedModel model = resolver.model(route.selector());
        final SignatureSpec signature = ModelResolver.signature(model, "");
        final List<String> versions = route.version().isPresent() ? List.of(Long.toString(model.version()))
                : models.apply(route.model())
                        .map(served -> served.servingVersions().stream().map(String::valueOf).toList())
                        .orElse(List.of());
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

    private static void writeSpecs(final String field, final Iterable<TensorSpec> specs, final JsonGenerator gen)
            throws IOException {
        gen.writeArrayFieldStart(field);
        for (TensorSpec spec : specs) {
            gen.writeStartObject();
            gen.writeStringField("name", spec.alias());
            gen.writeStringField("datatype", spec.dtype().map(DType::v2Datatype).orElse(spec.dtypeName()));
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
        final ServedModel served = models.apply(route.model()).orElseThrow(
                () -> ServingException.notFound("Model " + route.model() + " is not served here"));
        if (route.version().isPresent() && served.status(route.version().getAsLong()).isEmpty()) {
            // A version the server never tried to load is not a version that is not ready yet.
            throw ServingException.notFound("Model " + route.model() + " has no version "
                    + route.version().getAsLong() + " (its versions: " + served.statuses().stream()
                    .map(status -> Long.toString(status.version())).toList() + ")");
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
        try (ModelLease lease = resolver.lease(route.selector())) {
            final LoadedModel model = lease.model();
            final SignatureSpec signature = ModelResolver.signature(model, "");
            final JsonNode id;
            final Map<String, HostTensor> inputs;
            final Map<String, Boolean> outputs;
            if (isRawBinary(request)) {
                id = null;
                inputs = V2RawInput.read(route.model(), signature, request.content().nioBuffer());
                outputs = new LinkedHashMap<>();
                signature.outputAliases().forEach(alias -> outputs.put(alias, true));
            } else {
                final V2InferRequestDecoder.V2InferRequest decoded = requests.decode(signature, request.content(),
                        request.headers().get(HEADER_LENGTH));
                id = decoded.id();
                inputs = decoded.inputs();
                outputs = decoded.outputs();
            }
            final CompletableFuture<Map<String, HostTensor>> result = lease.until(runner.run(model, signature, inputs,
                    new ArrayList<>(outputs.keySet()), nanoClock.getAsLong() + timeoutNanos));
            return answers.answerWithin(result, timeoutNanos, eventLoop, alloc, responses, AnswerPlacement::bytesOf,
                    tensors -> inferResponse(route, model, id, tensors, outputs, alloc));
        }
    }

    /**
     * The answer: JSON, followed by the binary outputs' bytes in output order when any output is binary (then with
     * {@value #HEADER_LENGTH} giving the JSON's length and {@code application/octet-stream}).
     */
    private FullHttpResponse inferResponse(final Route route, final LoadedModel model, final JsonNode id,
                                           final Map<String, HostTensor> tensors, final Map<String, Boolean> binary,
                                           final ByteBufAllocator alloc) {
        final List<byte[]> chunks = new ArrayList<>();
        final FullHttpResponse response = responses.json(alloc, HttpResponseStatus.OK, out -> {
            try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
                gen.writeStartObject();
                gen.writeStringField("model_name", route.model());
                gen.writeStringField("model_version", Long.toString(model.version()));
                if (id != null && id.isTextual()) {
                    gen.writeStringField("id", id.textValue());
                }
                gen.writeArrayFieldStart("outputs");
                for (Map.Entry<String, HostTensor> output : tensors.entrySet()) {
                    if (binary.getOrDefault(output.getKey(), false)) {
                        final byte[] bytes = V2Tensors.binary(output.getValue());
                        chunks.add(bytes);
                        V2Tensors.writeBinaryHeader(output.getKey(), output.getValue(), bytes.length, gen);
                    } else {
                        V2Tensors.write(output.getKey(), output.getValue(), gen);
                    }
                }
                gen.writeEndArray();
                gen.writeEndObject();
            }
        });
        if (!chunks.isEmpty()) {
            final ByteBuf body = response.content();
            response.headers().setInt(HEADER_LENGTH, body.readableBytes());
            chunks.forEach(body::writeBytes);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        }
        return response;
    }

    /** A raw binary request: {@value #HEADER_LENGTH} is 0, the body is the one input's bytes and nothing else. */
    private static boolean isRawBinary(final FullHttpRequest request) {
        final String header = request.headers().get(HEADER_LENGTH);
        return header != null && header.trim().equals("0");
    }

    /** {@code {m}[/versions/{v}][/ready|/infer]}, the part of the path after {@code /v2/models/}. */
    private record Route(String model, OptionalLong version, String action) {
        static Route parse(final String rest) {
            final String[] parts = rest.split("/", -1);
            // A path, not a query: %XX is decoded and + stays +, as for /v1 (TfServingRoute) and in Triton.
            final String model = TfServingRoute.decode(parts[0]);
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
