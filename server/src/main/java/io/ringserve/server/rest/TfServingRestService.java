package io.ringserve.server.rest;

import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.server.codec.JsonExampleResultsEncoder;
import io.ringserve.server.codec.JsonExamplesDecoder;
import io.ringserve.server.codec.JsonPredictRequestDecoder;
import io.ringserve.server.codec.JsonPredictResponseEncoder;
import io.ringserve.server.codec.ModelMetadataJsonWriter;
import io.ringserve.server.codec.ModelStatusJsonWriter;
import io.ringserve.server.codec.PredictRequest;
import io.ringserve.server.inference.ExampleCounts;
import io.ringserve.server.inference.ExampleInference;
import io.ringserve.server.inference.FailureFlowsBack;
import io.ringserve.server.inference.SignatureMethodCheck;
import io.ringserve.server.inference.TfServingApi;
import io.ringserve.server.inference.ModelLease;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.RuntimeLatency;
import io.ringserve.server.inference.ServingException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * TF Serving's REST API ({@code /v1/models/...}): model status, metadata, predict, classify and regress.
 *
 * <p>{@link #handle} runs on the connection's event loop and never blocks it: status and metadata are answered at
 * once, a predict body is decoded there and its model run is handed to the {@link InferenceExecutor}; the response
 * is encoded back on the event loop. Each predict carries a deadline: {@code timeoutMillis}
 * ({@code --rest_api_timeout_in_ms}), or the shorter {@value #TIMEOUT_HEADER} header the client sends; past it the
 * client gets 504 and queued work is dropped. Thread-safe.
 */
public final class TfServingRestService {
    /** A client's own deadline for one request, in milliseconds; it can shorten the server's, never extend it. */
    public static final String TIMEOUT_HEADER = "X-Request-Timeout-Ms";

    private final ModelResolver resolver;
    private final ModelRunner runner;
    private final RestResponses responses;
    private final JsonPredictRequestDecoder decoder;
    private final JsonPredictResponseEncoder encoder;
    private final ModelStatusJsonWriter statusWriter;
    private final ModelMetadataJsonWriter metadataWriter;
    private final JsonExamplesDecoder examplesDecoder;
    private final JsonExampleResultsEncoder resultsEncoder;
    private final ExampleInference exampleInference;
    private final SignatureMethodCheck methodCheck;
    private final RuntimeLatency runtimeLatency;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final AnswerPlacement answers;

    /**
     * @param methodCheck whether signatures' method names must match the call
     * @param runtimeLatency told how long each answered request waited for its model call
     * @param exampleCounts told how many examples each classify and regress request fed its model
     */
    public TfServingRestService(final ModelResolver resolver, final ModelRunner runner,
                                final JsonFactory jsonFactory, final long timeoutMillis, final LongSupplier nanoClock,
                                final SignatureMethodCheck methodCheck, final RuntimeLatency runtimeLatency,
                                final ExampleCounts exampleCounts, final AnswerPlacement answers) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.responses = new RestResponses(jsonFactory);
        this.decoder = new JsonPredictRequestDecoder(jsonFactory);
        this.encoder = new JsonPredictResponseEncoder(jsonFactory);
        this.statusWriter = new ModelStatusJsonWriter(jsonFactory);
        this.metadataWriter = new ModelMetadataJsonWriter(jsonFactory);
        this.examplesDecoder = new JsonExamplesDecoder(jsonFactory);
        this.resultsEncoder = new JsonExampleResultsEncoder(jsonFactory);
        this.methodCheck = Objects.requireNonNull(methodCheck, "methodCheck");
        this.runtimeLatency = Objects.requireNonNull(runtimeLatency, "runtimeLatency");
        this.exampleInference = new ExampleInference(runner, methodCheck, runtimeLatency, exampleCounts);
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.answers = Objects.requireNonNull(answers, "answers");
    }

    /**
     * Answers one request; the body is read before this method returns, so the caller may release it then.
     *
     * @param eventLoop the request's executor ({@link HttpRouter}): timeouts are scheduled and answers built on it,
     *     large answers on a worker ({@link AnswerPlacement})
     * @throws ServingException for requests that fail before any work is scheduled
     */
    public CompletableFuture<FullHttpResponse> handle(final RestRequest call, final EventExecutor eventLoop,
                                                      final ByteBufAllocator alloc) {
        final FullHttpRequest request = call.http();
        final TfServingRoute route = call.tfServingRoute();
        return switch (route.kind()) {
            case STATUS -> CompletableFuture.completedFuture(responses.json(alloc, HttpResponseStatus.OK,
                    out -> statusWriter.write(resolver.statuses(route.model()), out)));
            case METADATA -> {
                final LoadedModel model = resolver.model(route.model());
                yield CompletableFuture.completedFuture(responses.json(alloc, HttpResponseStatus.OK,
                        out -> metadataWriter.write(model, out)));
            }
            case PREDICT -> predict(request, route, eventLoop, alloc);
            case CLASSIFY, REGRESS -> classifyOrRegress(request, route, eventLoop, alloc);
        };
    }

    /**
     * The request's time budget: the {@value #TIMEOUT_HEADER} header when it is shorter than
     * {@code --rest_api_timeout_in_ms}, else that flag.
     *
     * @throws ServingException INVALID_ARGUMENT when the header is not a positive integer
     */
    private long timeoutNanos(final FullHttpRequest request) {
        final String header = request.headers().get(TIMEOUT_HEADER);
        if (header == null) {
            return timeoutNanos;
        }
        final long millis;
        try {
            millis = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw ServingException.invalidArgument("Invalid " + TIMEOUT_HEADER + " header: '" + header
                    + "' (expected a positive number of milliseconds)");
        }
        if (millis <= 0) {
            throw ServingException.invalidArgument("Invalid " + TIMEOUT_HEADER + " header: '" + header
                    + "' (expected a positive number of milliseconds)");
        }
        return Math.min(timeoutNanos, TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private CompletableFuture<FullHttpResponse> classifyOrRegress(final FullHttpRequest request,
                                                                  final TfServingRoute route,
                                                                  final EventExecutor eventLoop,
                                                                  final ByteBufAllocator alloc) {
        try (ModelLease lease = resolver.lease(route.model())) {
            final LoadedModel model = lease.model();
            final byte[] body = ByteBufUtil.getBytes(request.content());
            final JsonExamplesDecoder.ExamplesRequest examples = examplesDecoder.decode(body, 0, body.length);
            final SignatureSpec signature = ExampleInference.signature(model, examples.signatureName());
            final long requestTimeoutNanos = timeoutNanos(request);
            final long deadline = nanoClock.getAsLong() + requestTimeoutNanos;
            final CompletableFuture<RestResponses.BodyWriter> result;
            if (route.kind() == TfServingRoute.Kind.CLASSIFY) {
                final var classified = exampleInference.classify(model, signature, examples.examples(), deadline);
                result = FailureFlowsBack.to(classified, classified.thenApply(
                        classes -> out -> resultsEncoder.classifications(classes, out)));
            } else {
                final var regressed = exampleInference.regress(model, signature, examples.examples(), deadline);
                result = FailureFlowsBack.to(regressed, regressed.thenApply(
                        values -> out -> resultsEncoder.regressions(values, out)));
            }
            lease.until(result); // a timeout fails result, and through it the queued work
            return answers.answerWithin(result, requestTimeoutNanos, eventLoop, alloc, responses,
                    writer -> 0L, // a result per example: small
                    writer -> responses.json(alloc, HttpResponseStatus.OK, writer));
        }
    }

    private CompletableFuture<FullHttpResponse> predict(final FullHttpRequest request, final TfServingRoute route,
                                                        final EventExecutor eventLoop, final ByteBufAllocator alloc) {
        try (ModelLease lease = resolver.lease(route.model())) {
            final LoadedModel model = lease.model();
            final ByteBuf content = request.content();
            final PredictRequest predict = content.hasArray()
                    ? decoder.decode(content.array(), content.arrayOffset() + content.readerIndex(),
                            content.readableBytes(), name -> ModelResolver.signature(model, name))
                    : decoder.decode(ByteBufUtil.getBytes(content), 0, content.readableBytes(),
                            name -> ModelResolver.signature(model, name));
            final SignatureSpec signature = ModelResolver.signature(model, predict.signatureName());
            methodCheck.forPredict(signature);
            final List<String> outputs = signature.outputAliases();
            final long requestTimeoutNanos = timeoutNanos(request);
            final long deadline = nanoClock.getAsLong() + requestTimeoutNanos;
            final CompletableFuture<Map<String, HostTensor>> result = lease.until(runtimeLatency.timed(model.name(),
                    TfServingApi.PREDICT, () -> runner.run(model, signature, predict.inputs(), outputs, deadline)));
            return answers.answerWithin(result, requestTimeoutNanos, eventLoop, alloc, responses,
                    AnswerPlacement::bytesOf, tensors -> {
                        encoder.validate(tensors, predict.rowFormat());
                        return responses.json(alloc, HttpResponseStatus.OK,
                                out -> encoder.encode(tensors, predict.rowFormat(), out));
                    });
        }
    }
}
