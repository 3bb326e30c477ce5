package io.ringserve.server.metrics;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.ringserve.server.rest.RequestObserver;
import io.ringserve.server.rest.RestRequest;
import java.util.Objects;
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
    private final Predicate<String> isConfiguredModel;

    public InferenceRequestObserver(final ServerMetrics metrics, final Predicate<String> isConfiguredModel) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.isConfiguredModel = Objects.requireNonNull(isConfiguredModel, "isConfiguredModel");
    }

    @Override
    public Observation start(final RestRequest request) {
        if (!request.isTfServing() && !isV2Infer(request.path())) {
            return Observation.UNOBSERVED;
        }
        final long start = System.nanoTime();
        metrics.requestStarted();
        return status -> metrics.requestFinished(modelLabel(request), PROTOCOL,
                RequestOutcome.ofHttpStatus(status), System.nanoTime() - start);
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
