package io.ringserve.server.metrics;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.ringserve.proto.inference.ModelInferRequest;
import io.ringserve.proto.serving.ClassificationRequest;
import io.ringserve.proto.serving.MultiInferenceRequest;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.RegressionRequest;
import io.ringserve.server.inference.StatusCode;
import io.ringserve.server.inference.TfServingApi;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Counts gRPC inference calls (TF Serving's Predict, Classify, Regress and MultiInference, KServe V2's ModelInfer)
 * in {@link ServerMetrics}, as {@link InferenceRequestObserver} counts REST ones: in flight from the call's start to
 * its close, then by model, protocol {@code grpc} and outcome (from the status code, as its HTTP mapping). Health,
 * metadata, status and reflection calls are not inference and are not counted. The model label is the request's
 * model if it is configured, else {@code unknown}. Thread-safe.
 *
 * <p>Two parts: this interceptor goes outside the services (the server builder's), where it sees every call start and
 * close, whatever closes it; {@link #modelLabels()} goes inside each service, where the request has been parsed
 * (services that parse large requests on a worker see unparsed streams outside). They share the call's observation
 * through its {@link Context}.
 */
public final class GrpcRequestObserver implements ServerInterceptor {
    private static final String PROTOCOL = "grpc";
    private static final String UNKNOWN_MODEL = "unknown";
    /** The calls TF Serving counts in its own metrics, by method. */
    private static final Map<String, TfServingApi> TF_SERVING_APIS = Map.of(
            "tensorflow.serving.PredictionService/Predict", TfServingApi.PREDICT,
            "tensorflow.serving.PredictionService/Classify", TfServingApi.CLASSIFY,
            "tensorflow.serving.PredictionService/Regress", TfServingApi.REGRESS);
    /** The inference calls: TF Serving's above, its MultiInference, and KServe V2's ModelInfer. */
    private static final Set<String> INFERENCE_METHODS = Stream.concat(TF_SERVING_APIS.keySet().stream(), Stream.of(
            "tensorflow.serving.PredictionService/MultiInference", "inference.GRPCInferenceService/ModelInfer"))
            .collect(Collectors.toUnmodifiableSet());

    /** The observation of the current inference call, for {@link #modelLabels()}. */
    private static final Context.Key<Observation> OBSERVATION = Context.key("ringserve-grpc-observation");

    private final ServerMetrics metrics;
    private final TfServingMetrics tfServingMetrics;
    private final Predicate<String> isConfiguredModel;

    /**
     * @param tfServingMetrics where TF Serving's own metrics of Predict, Classify and Regress calls go
     * @param isConfiguredModel whether a model name may be a label value
     */
    public GrpcRequestObserver(final ServerMetrics metrics, final TfServingMetrics tfServingMetrics,
                               final Predicate<String> isConfiguredModel) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tfServingMetrics = Objects.requireNonNull(tfServingMetrics, "tfServingMetrics");
        this.isConfiguredModel = Objects.requireNonNull(isConfiguredModel, "isConfiguredModel");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
                                                       final ServerCallHandler<Q, R> next) {
        if (!INFERENCE_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        final Observation observation = new Observation(System.nanoTime(),
                TF_SERVING_APIS.get(call.getMethodDescriptor().getFullMethodName()));
        metrics.requestStarted();
        final ServerCall.Listener<Q> listener = Contexts.interceptCall(
                Context.current().withValue(OBSERVATION, observation),
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(final Status status, final Metadata trailers) {
                        observation.finish(status.getCode());
                        super.close(status, trailers);
                    }
                }, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            /** The client went away, or the call's deadline passed (grpc-java cancels the call for both). */
            @Override
            public void onCancel() {
                final Deadline deadline = Context.current().getDeadline();
                observation.finish(deadline != null && deadline.isExpired() ? Status.Code.DEADLINE_EXCEEDED
                        : Status.Code.CANCELLED);
                super.onCancel();
            }
        };
    }

    /**
     * The inner part: labels the call's observation with the model its request names. Goes inside each service,
     * where requests are parsed; a call this observer does not count passes untouched.
     */
    public ServerInterceptor modelLabels() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
                                                               final ServerCallHandler<Q, R> next) {
                final Observation observation = OBSERVATION.get();
                final ServerCall.Listener<Q> listener = next.startCall(call, headers);
                if (observation == null) {
                    return listener;
                }
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                    @Override
                    public void onMessage(final Q message) {
                        observation.model = modelOf(message);
                        super.onMessage(message);
                    }
                };
            }
        };
    }

    private String modelOf(final Object message) {
        final String model;
        if (message instanceof PredictRequest predict) {
            model = predict.getModelSpec().getName();
        } else if (message instanceof ModelInferRequest infer) {
            model = infer.getModelName();
        } else if (message instanceof ClassificationRequest classify) {
            model = classify.getModelSpec().getName();
        } else if (message instanceof RegressionRequest regress) {
            model = regress.getModelSpec().getName();
        } else if (message instanceof MultiInferenceRequest multi && multi.getTasksCount() > 0) {
            model = multi.getTasks(0).getModelSpec().getName();
        } else {
            model = "";
        }
        return isConfiguredModel.test(model) ? model : UNKNOWN_MODEL;
    }

    /** One call: counted as finished once, by whichever of close and cancel comes first. */
    private final class Observation {
        private final long start;
        private final TfServingApi tfServingApi;
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile String model = UNKNOWN_MODEL;

        /** @param tfServingApi the TF Serving API of the call, or null when TF Serving does not count it */
        Observation(final long start, final TfServingApi tfServingApi) {
            this.start = start;
            this.tfServingApi = tfServingApi;
        }

        void finish(final Status.Code code) {
            if (finished.compareAndSet(false, true)) {
                final StatusCode status = StatusCode.of(code.value());
                final long nanos = System.nanoTime() - start;
                metrics.requestFinished(model, PROTOCOL, RequestOutcome.ofHttpStatus(status.httpStatus()), nanos);
                if (tfServingApi != null) {
                    tfServingMetrics.requestFinished(model, tfServingApi, TfServingMetrics.Entrypoint.GRPC, status,
                            nanos);
                }
            }
        }
    }
}
