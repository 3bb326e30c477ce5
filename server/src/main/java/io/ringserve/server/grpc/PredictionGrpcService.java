package io.ringserve.server.grpc;

import com.google.protobuf.Any;
import io.grpc.stub.StreamObserver;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.proto.serving.Class;
import io.ringserve.proto.serving.ClassificationRequest;
import io.ringserve.proto.serving.ClassificationResponse;
import io.ringserve.proto.serving.ClassificationResult;
import io.ringserve.proto.serving.Classifications;
import io.ringserve.proto.serving.GetModelMetadataRequest;
import io.ringserve.proto.serving.GetModelMetadataResponse;
import io.ringserve.proto.serving.InferenceResult;
import io.ringserve.proto.serving.InferenceTask;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.MultiInferenceRequest;
import io.ringserve.proto.serving.MultiInferenceResponse;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.serving.Regression;
import io.ringserve.proto.serving.RegressionRequest;
import io.ringserve.proto.serving.RegressionResponse;
import io.ringserve.proto.serving.RegressionResult;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.server.inference.ExampleCounts;
import io.ringserve.server.inference.ExampleInference;
import io.ringserve.server.inference.ModelLease;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.RuntimeLatency;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.SignatureMethodCheck;
import io.ringserve.server.inference.StatusCode;
import io.ringserve.server.inference.TfServingApi;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code tensorflow.serving.PredictionService}: Predict (through the batcher, with the call's deadline and
 * cancellation), Classify, Regress and MultiInference on {@code tf.Example}s, and GetModelMetadata, with TF
 * Serving's status codes and messages.
 *
 * <p>Handlers never block: they validate, decode the request's tensors and schedule the model call; the response is
 * sent when the call completes. A cancelled call or a passed deadline drops the queued work. Thread-safe.
 */
public final class PredictionGrpcService extends PredictionServiceGrpc.PredictionServiceImplBase {
    private static final String SIGNATURE_DEF_FIELD = "signature_def";

    private static final String CLASSIFY_METHOD = "tensorflow/serving/classify";
    private static final String REGRESS_METHOD = "tensorflow/serving/regress";

    private final ModelResolver resolver;
    private final ModelRunner runner;
    private final ExampleInference examples;
    private final LongSupplier nanoClock;
    private final Supplier<Executor> answerExecutor;
    private final PredictOutputEncoding outputEncoding;
    private final SignatureMethodCheck methodCheck;
    private final RuntimeLatency runtimeLatency;
    private final long maxFilledTensorBytes;

    /**
     * @param nanoClock the clock deadlines are on; {@link System#nanoTime()} in production
     * @param answerExecutor asked on a handler's thread, the executor the call's answer is sent on: the call's event
     *     loop through {@link io.ringserve.server.inference.AnswerHandoff} in production, so that a batch's answers
     *     leave together; {@code Runnable::run} sends on the thread that completes the call
     * @param outputEncoding how Predict writes its outputs ({@code --enable_serialization_as_tensor_content})
     * @param methodCheck whether signatures' method names must match the call
     *     ({@code --enable_signature_method_name_check})
     * @param runtimeLatency told how long each answered call waited for its model call
     * @param exampleCounts told how many examples each Classify, Regress and MultiInference call fed the model
     * @param maxFilledTensorBytes the most bytes TensorFlow's fill rule may add to an input sent with fewer values
     *     than its shape holds (see {@link TensorProtoCodec#toHost}): the largest message the server accepts
     */
    public PredictionGrpcService(final ModelResolver resolver, final ModelRunner runner, final LongSupplier nanoClock,
                                 final Supplier<Executor> answerExecutor,
                                 final PredictOutputEncoding outputEncoding,
                                 final SignatureMethodCheck methodCheck, final RuntimeLatency runtimeLatency,
                                 final ExampleCounts exampleCounts, final long maxFilledTensorBytes) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.answerExecutor = Objects.requireNonNull(answerExecutor, "answerExecutor");
        this.outputEncoding = Objects.requireNonNull(outputEncoding, "outputEncoding");
        this.methodCheck = Objects.requireNonNull(methodCheck, "methodCheck");
        this.runtimeLatency = Objects.requireNonNull(runtimeLatency, "runtimeLatency");
        this.maxFilledTensorBytes = maxFilledTensorBytes;
        this.examples = new ExampleInference(runner, methodCheck, runtimeLatency,
                Objects.requireNonNull(exampleCounts, "exampleCounts"));
    }

    @Override
    public void predict(final PredictRequest request, final StreamObserver<PredictResponse> observer) {
        final ModelSpec spec = request.getModelSpec();
        try (ModelLease lease = resolver.lease(ModelSpecs.selector(request.hasModelSpec(), spec))) {
            final LoadedModel model = lease.model();
            final SignatureSpec signature = ModelSpecs.signature(model, spec.getSignatureName());
            methodCheck.forPredict(signature);
            final Map<String, HostTensor> inputs = inputs(signature, request.getInputsMap(), maxFilledTensorBytes);
            final List<String> outputs = outputs(signature, request.getOutputFilterList());
            final ModelSpec answered = ModelSpecs.resolved(spec.getName(), model, signature.key());
            final long deadline = deadlineNanos();
            complete(lease.until(runtimeLatency.timed(model.name(), TfServingApi.PREDICT,
                    () -> runner.run(model, signature, inputs, outputs, deadline))), observer, tensors -> {
                final PredictResponse.Builder response = PredictResponse.newBuilder().setModelSpec(answered);
                tensors.forEach((alias, tensor) -> response.putOutputs(alias, outputEncoding.encode(tensor)));
                return response.build();
            });
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    @Override
    public void getModelMetadata(final GetModelMetadataRequest request,
                                 final StreamObserver<GetModelMetadataResponse> observer) {
        try {
            // TF Serving's order: the spec, then the fields one by one (the model resolved at signature_def).
            if (!request.hasModelSpec()) {
                throw ServingException.invalidArgument("Missing ModelSpec");
            }
            if (request.getMetadataFieldCount() == 0) {
                throw ServingException.invalidArgument(
                        "GetModelMetadataRequest must specify at least one metadata_field");
            }
            LoadedModel model = null;
            for (String field : request.getMetadataFieldList()) {
                if (!field.equals(SIGNATURE_DEF_FIELD)) {
                    throw ServingException.invalidArgument("Metadata field " + field + " is not supported");
                }
                if (model == null) {
                    model = resolver.model(ModelSpecs.selector(true, request.getModelSpec()));
                }
            }
            observer.onNext(GetModelMetadataResponse.newBuilder()
                    .setModelSpec(ModelSpecs.resolved(request.getModelSpec().getName(), model, ""))
                    .putMetadata(SIGNATURE_DEF_FIELD, Any.pack(SignatureDefs.of(model)))
                    .build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    @Override
    public void classify(final ClassificationRequest request,
                         final StreamObserver<ClassificationResponse> observer) {
        final ModelSpec spec = request.getModelSpec();
        try (ModelLease lease = resolver.lease(ModelSpecs.selector(request.hasModelSpec(), spec))) {
            final LoadedModel model = lease.model();
            final SignatureSpec signature = ExampleInference.signature(model, spec.getSignatureName());
            final ModelSpec answered = ModelSpecs.resolved(spec.getName(), model, signature.key());
            complete(lease.until(examples.classify(model, signature, Examples.serialized(request.getInput()),
                    deadlineNanos())), observer, classes -> ClassificationResponse.newBuilder().setModelSpec(answered)
                            .setResult(classificationResult(classes)).build());
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    @Override
    public void regress(final RegressionRequest request, final StreamObserver<RegressionResponse> observer) {
        final ModelSpec spec = request.getModelSpec();
        try (ModelLease lease = resolver.lease(ModelSpecs.selector(request.hasModelSpec(), spec))) {
            final LoadedModel model = lease.model();
            final SignatureSpec signature = ExampleInference.signature(model, spec.getSignatureName());
            final ModelSpec answered = ModelSpecs.resolved(spec.getName(), model, signature.key());
            complete(lease.until(examples.regress(model, signature, Examples.serialized(request.getInput()),
                    deadlineNanos())), observer, values -> RegressionResponse.newBuilder().setModelSpec(answered)
                            .setResult(regressionResult(values)).build());
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    /**
     * MultiInference as TF Serving runs it: the version is the one the first task names, every task must name the
     * same model and a signature of its own, and all take the same input tensor; one model call fetches every
     * task's outputs (not batched with other requests), and each task's result follows its task.
     */
    @Override
    public void multiInference(final MultiInferenceRequest request,
                               final StreamObserver<MultiInferenceResponse> observer) {
        try {
            if (request.getTasksCount() == 0) {
                throw ServingException.invalidArgument("MultiInferenceRequest must have at least one task");
            }
            final InferenceTask first = request.getTasks(0);
            try (ModelLease lease = resolver.lease(ModelSpecs.selector(first.hasModelSpec(), first.getModelSpec()))) {
                final LoadedModel model = lease.model();
                final List<SignatureSpec> signatures = taskSignatures(request.getTasksList(), model);
                final List<byte[]> serialized = Examples.serialized(request.getInput());
                final long deadline = deadlineNanos();
                final List<ExampleInference.Task> tasks = new ArrayList<>(signatures.size());
                for (int i = 0; i < signatures.size(); i++) {
                    tasks.add(new ExampleInference.Task(signatures.get(i),
                            request.getTasks(i).getMethodName().equals(CLASSIFY_METHOD)));
                }
                // One model call for every task, as TF Serving runs them.
                final CompletableFuture<List<ExampleInference.TaskResult>> results = examples.multiInference(model,
                        tasks, serialized, deadline);
                complete(lease.until(results), observer, answered -> {
                    final MultiInferenceResponse.Builder response = MultiInferenceResponse.newBuilder();
                    for (int i = 0; i < answered.size(); i++) {
                        final ExampleInference.TaskResult result = answered.get(i);
                        final InferenceResult.Builder task = InferenceResult.newBuilder().setModelSpec(
                                ModelSpecs.resolved(request.getTasks(i).getModelSpec().getName(), model,
                                        signatures.get(i).key()));
                        if (result.classes() != null) {
                            task.setClassificationResult(classificationResult(result.classes()));
                        } else {
                            task.setRegressionResult(regressionResult(result.values()));
                        }
                        response.addResults(task);
                    }
                    return response.build();
                });
            }
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    /**
     * Each task's signature in {@code model}, the tasks checked in TF Serving's order and words: a model name, the
     * first task's, a signature evaluated once, that the model has, a classify or regress method, one input tensor.
     */
    private static List<SignatureSpec> taskSignatures(final List<InferenceTask> tasks, final LoadedModel model) {
        final String modelName = tasks.get(0).getModelSpec().getName();
        final Set<String> evaluated = new HashSet<>();
        final List<SignatureSpec> signatures = new ArrayList<>(tasks.size());
        String inputTensor = null;
        for (InferenceTask task : tasks) {
            final ModelSpec spec = task.getModelSpec();
            if (spec.getName().isEmpty()) {
                throw ServingException.invalidArgument("Found ModelSpec with an empty model name.");
            }
            if (!spec.getName().equals(modelName)) {
                throw ServingException.invalidArgument(
                        "All ModelSpecs in a MultiInferenceRequest must access the same model name.");
            }
            final String key = spec.getSignatureName().isEmpty() ? SignatureSpec.DEFAULT_KEY : spec.getSignatureName();
            if (!evaluated.add(key)) {
                throw ServingException.invalidArgument("Duplicate evaluation of signature: " + key);
            }
            final SignatureSpec signature = model.signature(key).orElseThrow(() -> ServingException.invalidArgument(
                    "Requested signature not found in model graph: " + key));
            if (!task.getMethodName().equals(CLASSIFY_METHOD) && !task.getMethodName().equals(REGRESS_METHOD)) {
                throw new ServingException(StatusCode.UNIMPLEMENTED, "Unsupported signature method_name: "
                        + task.getMethodName() + " (expected " + CLASSIFY_METHOD + " or " + REGRESS_METHOD + ")");
            }
            final TensorSpec input = signature.inputs().get("inputs");
            if (input != null) { // a signature without one is refused naming it when its task runs
                if (inputTensor == null) {
                    inputTensor = input.tensorName();
                } else if (!inputTensor.equals(input.tensorName())) {
                    throw ServingException.invalidArgument("Input tensor must be the same for all Signatures.");
                }
            }
            signatures.add(signature);
        }
        return signatures;
    }

    /** Answers the call from {@code result} on the executor of the calling handler's event loop. */
    private <T, R> void complete(final CompletableFuture<T> result, final StreamObserver<R> observer,
                                 final Function<T, R> response) {
        GrpcCalls.answer(result, observer, response, answerExecutor.get());
    }

    private static ClassificationResult classificationResult(final List<List<ExampleInference.ScoredClass>> all) {
        final ClassificationResult.Builder result = ClassificationResult.newBuilder();
        for (List<ExampleInference.ScoredClass> example : all) {
            final Classifications.Builder classes = Classifications.newBuilder();
            example.forEach(c -> classes.addClasses(Class.newBuilder().setLabel(c.label()).setScore(c.score())));
            result.addClassifications(classes);
        }
        return result.build();
    }

    private static RegressionResult regressionResult(final List<Float> values) {
        final RegressionResult.Builder result = RegressionResult.newBuilder();
        values.forEach(v -> result.addRegressions(Regression.newBuilder().setValue(v)));
        return result.build();
    }

    private long deadlineNanos() {
        return GrpcCalls.deadlineNanos(nanoClock);
    }

    /**
     * The request's tensors, exactly the signature's inputs, each of the signature's dtype.
     *
     * @throws ServingException INVALID_ARGUMENT in TF Serving's words
     */
    static Map<String, HostTensor> inputs(final SignatureSpec signature, final Map<String, TensorProto> sent,
                                           final long maxFilledBytes) {
        if (!sent.keySet().equals(signature.inputs().keySet())) {
            final Set<String> extra = new TreeSet<>(sent.keySet());
            extra.removeAll(signature.inputs().keySet());
            final Set<String> missing = new TreeSet<>(signature.inputs().keySet());
            missing.removeAll(sent.keySet());
            throw ServingException.invalidArgument("input size does not match signature: " + sent.size() + "!="
                    + signature.inputs().size() + " len({" + String.join(",", new TreeSet<>(sent.keySet()))
                    + "}) != len({" + String.join(",", new TreeSet<>(signature.inputs().keySet()))
                    + "}). Sent extra: {" + String.join(",", extra) + "}. Missing but required: {"
                    + String.join(",", missing) + "}.");
        }
        final Map<String, HostTensor> inputs = new LinkedHashMap<>();
        for (TensorSpec spec : signature.inputs().values()) {
            final TensorProto proto = sent.get(spec.alias());
            final DType expected = spec.dtype().orElse(null);
            final DType given = DType.fromProtoNumber(proto.getDtypeValue()).orElse(null);
            if (expected != given) {
                throw ServingException.invalidArgument("Expects arg[" + spec.alias() + "] to be "
                        + (expected == null ? spec.dtypeName() : expected.typeName()) + " but "
                        + (given == null ? proto.getDtype().name() : given.typeName()) + " is provided");
            }
            inputs.put(spec.alias(), TensorProtoCodec.toHost(spec.alias(), proto, maxFilledBytes));
        }
        return inputs;
    }

    /**
     * The outputs to fetch: the filter in its order, or every output when it is empty.
     *
     * @throws ServingException INVALID_ARGUMENT for an unknown or repeated alias
     */
    static List<String> outputs(final SignatureSpec signature, final List<String> filter) {
        if (filter.isEmpty()) {
            return signature.outputAliases();
        }
        final Set<String> seen = new LinkedHashSet<>();
        for (String alias : filter) {
            if (!signature.outputs().containsKey(alias)) {
                throw ServingException.invalidArgument("output tensor alias not found in signature: " + alias
                        + " Outputs expected to be in the set {" + String.join(",",
                        new TreeSet<>(signature.outputs().keySet())) + "}.");
            }
            if (!seen.add(alias)) {
                throw ServingException.invalidArgument("duplicate output tensor alias: " + alias);
            }
        }
        return new ArrayList<>(seen);
    }
}
