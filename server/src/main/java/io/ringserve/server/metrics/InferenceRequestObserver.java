package io.ringserve.server.metrics;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.ringserve.server.inference.StatusCode;
import io.ringserve.server.inference.TfServingApi;
import io.ringserve.server.rest.RequestObserver;
import io.ringserve.server.rest.RestRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Counts inference requests (TF Serving's {@code /v1/...} API and KServe V2's {@code /v2/models/.../infer}) in
 * {@link ServerMetrics}: in flight from accepted to response written, then by model, protocol {@code rest} and
 * outcome. Health, readiness and metrics calls are not
 * inference requests and are not counted. The model label is the request's model if it is configured, else
 * {@code unknown}, so clients cannot grow the label set. Thread-safe.
 */
public final class InferenceRequestObserver implements RequestObserver {
    private static final String PROTOCOL = "rest";
    private static final String UNKNOWN_MODEL = "unknown";
    private static final String V2_MODELS = "/v2/models/";
    private static final String V2_INFER = "/infer";

    private final ServerMetrics metrics;
    private final TfServingMetrics tfServingMetrics;
    private final Predicate<String> isConfiguredModel;

    /**
     * @param tfServingMetrics where TF Serving's own metrics of {@code :predict}, {@code :classify} and
     *     {@code :regress} requests go, by the status code their HTTP status stands for
     * @param isConfiguredModel whether a model name may be a label value
     */
    public InferenceRequestObserver(final ServerMetrics metrics, final TfServingMetrics tfServingMetrics,
                                    final Predicate<String> isConfiguredModel) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tfServingMetrics = Objects.requireNonNull(tfServingMetrics, "tfServingMetrics");
        this.isConfiguredModel = Objects.requireNonNull(isConfiguredModel, "isConfiguredModel");
    }

    @Override
    public Observation start(final RestRequest request) {
        if (!request.isTfServing() && !isV2Infer(request.path())) {
            return Observation.UNOBSERVED;
        }
        final long start = System.nanoTime();
        metrics.requestStarted();
        return status -> {
            final long nanos = System.nanoTime() - start;
            final String model = modelLabel(request);
            metrics.requestFinished(model, PROTOCOL, RequestOutcome.ofHttpStatus(status), nanos);
            tfServingApi(request).ifPresent(api -> tfServingMetrics.requestFinished(model, api,
                    TfServingMetrics.Entrypoint.REST, StatusCode.ofHttpStatus(status), nanos));
        };
    }

    /** The TF Serving API a {@code /v1} inference request called; none for status, metadata and V2 requests. */
    private static Optional<TfServingApi> tfServingApi(final RestRequest request) {
        if (!request.isTfServing()) {
            return Optional.empty();
        }
        try {
            return switch (request.tfServingRoute().kind()) {
                case PREDICT -> Optional.of(TfServingApi.PREDICT);
                case CLASSIFY -> Optional.of(TfServingApi.CLASSIFY);
                case REGRESS -> Optional.of(TfServingApi.REGRESS);
                case STATUS, METADATA -> Optional.empty();
            };
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    private static boolean isV2Infer(final String path) {
        return path.startsWith(V2_MODELS) && path.endsWith(V2_INFER) && path.length() > V2_MODELS.length() + 6;
    }

    /** The route the router parsed (parsed here only if the router did not get that far). */
    private String modelLabel(final RestRequest request) {
        try {
            final String path = request.path();
            final String model = request.isTfServing() ? request.tfServingRoute().model().name()
                    : QueryStringDecoder.decodeComponent(path.substring(V2_MODELS.length(),
                            path.indexOf('/', V2_MODELS.length())));
            return isConfiguredModel.test(model) ? model : UNKNOWN_MODEL;
        } catch (RuntimeException malformed) {
            return UNKNOWN_MODEL;
        }
    }
}
