package io.ringserve.server.metrics;

import io.ringserve.server.rest.RequestObserver;
import io.ringserve.server.rest.RestRequest;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Counts inference requests (TF Serving's {@code /v1/...} API) in {@link ServerMetrics}: in flight from accepted to
 * response written, then by model, protocol {@code rest} and outcome. Health, readiness and metrics calls are not
 * inference requests and are not counted. The model label is the request's model if it is configured, else
 * {@code unknown}, so clients cannot grow the label set. Thread-safe.
 */
public final class InferenceRequestObserver implements RequestObserver {
    private static final String PROTOCOL = "rest";
    private static final String UNKNOWN_MODEL = "unknown";

    private final ServerMetrics metrics;
    private final Predicate<String> isConfiguredModel;

    public InferenceRequestObserver(final ServerMetrics metrics, final Predicate<String> isConfiguredModel) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.isConfiguredModel = Objects.requireNonNull(isConfiguredModel, "isConfiguredModel");
    }

    @Override
    public Observation start(final RestRequest request) {
        if (!request.isTfServing()) {
            return Observation.UNOBSERVED;
        }
        final long start = System.nanoTime();
        metrics.requestStarted();
        return status -> metrics.requestFinished(modelLabel(request), PROTOCOL,
                RequestOutcome.ofHttpStatus(status), System.nanoTime() - start);
    }

    /** The route the router parsed (parsed here only if the router did not get that far). */
    private String modelLabel(final RestRequest request) {
        try {
            final String model = request.tfServingRoute().model().name();
            return isConfiguredModel.test(model) ? model : UNKNOWN_MODEL;
        } catch (RuntimeException malformed) {
            return UNKNOWN_MODEL;
        }
    }
}
