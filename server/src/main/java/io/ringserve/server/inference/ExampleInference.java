package io.ringserve.server.inference;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Classify and Regress on serialized {@code tf.Example}s, the way TF Serving runs them: the examples become one
 * DT_STRING tensor fed to the signature's {@code inputs}; classification reads {@code classes} and/or {@code scores}
 * ({@code [batch, n]}), regression reads {@code outputs} ({@code [batch]} or {@code [batch, 1]}). Signatures are
 * checked by structure, and by method name only with {@link SignatureMethodCheck#ON}, as TF Serving does (off by
 * default, so TF2 models whose classify signatures say {@code tensorflow/serving/predict} work). Transport-neutral
 * and thread-safe.
 */
public final class ExampleInference {
    /** One class of one example. */
    public record ScoredClass(String label, float score) {
    }

    /** The method name of the signature a MultiInference request's one model call runs under. */
    private static final String MULTI_INFERENCE_METHOD = "tensorflow/serving/multi_inference";
    /** What a regression reads: its signature's {@code outputs}. */
    private static final List<String> REGRESS_OUTPUTS = List.of("outputs");

    private final ModelRunner runner;
    private final SignatureMethodCheck methodCheck;
    private final RuntimeLatency runtimeLatency;
    private final ExampleCounts exampleCounts;

    /**
     * Serialized examples as the model reads them with a context: the serialized context followed by each
     * serialized example (protobuf merges concatenated messages, so an example's own features win), as TF Serving
     * feeds {@code ExampleListWithContext}. An empty context leaves the examples as they are.
     */
    public static List<byte[]> withContext(final byte[] context, final List<byte[]> examples) {
        if (context.length == 0) {
            return examples;
        }
        final List<byte[]> merged = new ArrayList<>(examples.size());
        for (byte[] example : examples) {
            final byte[] both = new byte[context.length + example.length];
            System.arraycopy(context, 0, both, 0, context.length);
            System.arraycopy(example, 0, both, context.length, example.length);
            merged.add(both);
        }
        return merged;
    }

    /** @param methodCheck whether a signature's method_name must also say classify or regress */
    public ExampleInference(final ModelRunner runner, final SignatureMethodCheck methodCheck) {
        this(runner, methodCheck, RuntimeLatency.NONE, ExampleCounts.NONE);
    }

    /**
     * @param runtimeLatency told how long each model call took
     * @param exampleCounts told how many examples each successful model call took
     */
    public ExampleInference(final ModelRunner runner, final SignatureMethodCheck methodCheck,
                            final RuntimeLatency runtimeLatency, final ExampleCounts exampleCounts) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.methodCheck = Objects.requireNonNull(methodCheck, "methodCheck");
        this.runtimeLatency = Objects.requireNonNull(runtimeLatency, "runtimeLatency");
        this.exampleCounts = Objects.requireNonNull(exampleCounts, "exampleCounts");
    }

    /**
     * Classifies {@code examples}: per example, its classes in the order the model gives them. Failing the returned
     * future (a cancelled call, a timeout) fails the model work too, so that it is dropped if still queued.
     */
    public CompletableFuture<List<List<ScoredClass>>> classify(final LoadedModel model, final SignatureSpec signature,
                                                               final List<byte[]> examples,
                                                               final long deadlineNanos) {
        return runTask(model, signature, true, examples, deadlineNanos,
                tensors -> classes(tensors.get("classes"), tensors.get("scores"), examples.size()));
    }

    /** Regresses {@code examples}: one value per example; failing the returned future fails the model work. */
    public CompletableFuture<List<Float>> regress(final LoadedModel model, final SignatureSpec signature,
                                                  final List<byte[]> examples, final long deadlineNanos) {
        return runTask(model, signature, false, examples, deadlineNanos,
                tensors -> values(tensors.get("outputs"), examples.size()));
    }

    /**
     * Runs {@code signature} as a classification ({@code classify}) or a regression on {@code examples}, through the
     * runner (batched with other requests), timed and counted, and reads its answer with {@code answer}; failing the
     * returned future fails the model work.
     */
    private <T> CompletableFuture<T> runTask(final LoadedModel model, final SignatureSpec signature,
                                             final boolean classify, final List<byte[]> examples,
                                             final long deadlineNanos,
                                             final Function<Map<String, HostTensor>, T> answer) {
        final TensorSpec input = checkedInput(signature, classify);
        final List<String> outputs = taskOutputs(signature, classify);
        final CompletableFuture<Map<String, HostTensor>> call = runtimeLatency.timed(model.name(),
                classify ? TfServingApi.CLASSIFY : TfServingApi.REGRESS, () -> runner.run(model, signature,
                        Map.of(input.alias(), tensor(examples)), outputs, deadlineNanos));
        return FailureFlowsBack.to(call, call.thenApply(tensors -> {
            exampleCounts.record(model.name(), examples.size());
            return answer.apply(tensors);
        }));
    }

    /** One task of a MultiInference request: a signature, run as a classification or a regression. */
    public record Task(SignatureSpec signature, boolean classify) {
    }

    /** What one task answers: its classes (a classification) or its values (a regression). */
    public record TaskResult(List<List<ScoredClass>> classes, List<Float> values) {
    }

    /**
     * Runs every task on {@code examples} in one model call fetching all their outputs, as TF Serving runs a
     * MultiInference request, and splits the answer per task; its examples are counted once. The call is not batched
     * with others (its outputs are this request's own). Failing the returned future fails the model call too.
     *
     * @throws ServingException INVALID_ARGUMENT when a task's signature is not what its method needs, or the tasks do
     *     not share one input tensor
     */
    public CompletableFuture<List<TaskResult>> multiInference(final LoadedModel model, final List<Task> tasks,
                                                              final List<byte[]> examples, final long deadlineNanos) {
        TensorSpec input = null;
        // Each graph tensor fetched once (two tasks may read the same one), under its own name.
        final Map<String, TensorSpec> outputs = new LinkedHashMap<>();
        for (Task task : tasks) {
            final SignatureSpec signature = task.signature();
            final TensorSpec taskInput = checkedInput(signature, task.classify());
            taskOutputs(signature, task.classify()).forEach(alias -> fetch(signature.outputs().get(alias), outputs));
            if (input == null) {
                input = taskInput;
            } else if (!input.tensorName().equals(taskInput.tensorName())) {
                throw ServingException.invalidArgument("Input tensor must be the same for all Signatures.");
            }
        }
        final SignatureSpec combined = new SignatureSpec("(MultiInference)", MULTI_INFERENCE_METHOD,
                Map.of(input.alias(), input), outputs);
        final CompletableFuture<Map<String, HostTensor>> call = runner.runAlone(model, combined,
                Map.of(input.alias(), tensor(examples)), List.copyOf(outputs.keySet()), deadlineNanos);
        return FailureFlowsBack.to(call, call.thenApply(tensors -> {
            exampleCounts.record(model.name(), examples.size()); // once for the request, whatever its tasks
            final List<TaskResult> results = new ArrayList<>(tasks.size());
            for (Task task : tasks) {
                final Map<String, TensorSpec> own = task.signature().outputs();
                results.add(task.classify()
                        ? new TaskResult(classes(fetched(own.get("classes"), tensors),
                                fetched(own.get("scores"), tensors), examples.size()), null)
                        : new TaskResult(null, values(fetched(own.get("outputs"), tensors), examples.size())));
            }
            return results;
        }));
    }

    /**
     * The signature a Classify or Regress request names; empty means {@code serving_default}.
     *
     * @throws ServingException INVALID_ARGUMENT {@code No signature was found with the name: <s>}, in TF Serving's
     *     classifier's and regressor's words (Predict answers FAILED_PRECONDITION, as TF Serving's predictor does)
     */
    public static SignatureSpec signature(final LoadedModel model, final String name) {
        final String key = name.isEmpty() ? SignatureSpec.DEFAULT_KEY : name;
        return model.signature(key).orElseThrow(() -> ServingException.invalidArgument(
                "No signature was found with the name: " + key));
    }

    /**
     * The example input of a signature run as a classification ({@code classify}) or a regression, once the
     * signature's method name (with {@link SignatureMethodCheck#ON}) and its input are what that needs.
     */
    private TensorSpec checkedInput(final SignatureSpec signature, final boolean classify) {
        if (classify) {
            methodCheck.forClassify(signature);
            return exampleInput(signature, "classification");
        }
        methodCheck.forRegress(signature);
        return exampleInput(signature, "regression");
    }

    /** The outputs a classification ({@code classify}) or a regression reads from the signature. */
    private static List<String> taskOutputs(final SignatureSpec signature, final boolean classify) {
        if (classify) {
            return classifyOutputs(signature);
        }
        requireRegressOutput(signature);
        return REGRESS_OUTPUTS;
    }

    /** Adds {@code spec}'s graph tensor to {@code outputs}, once, under the tensor's name. */
    private static void fetch(final TensorSpec spec, final Map<String, TensorSpec> outputs) {
        outputs.putIfAbsent(spec.tensorName(), new TensorSpec(spec.tensorName(), spec.tensorName(), spec.dtypeName(),
                spec.dtypeNumber(), spec.shape()));
    }

    /** What was fetched for {@code spec}; null when the signature has no such output. */
    private static HostTensor fetched(final TensorSpec spec, final Map<String, HostTensor> tensors) {
        return spec == null ? null : tensors.get(spec.tensorName());
    }

    /** The classification outputs a signature has: {@code classes} and/or {@code scores}. */
    private static List<String> classifyOutputs(final SignatureSpec signature) {
        final List<String> outputs = new ArrayList<>(2);
        if (signature.outputs().containsKey("classes")) {
            outputs.add("classes");
        }
        if (signature.outputs().containsKey("scores")) {
            outputs.add("scores");
        }
        if (outputs.isEmpty()) {
            throw ServingException.invalidArgument("Expected classification signature outputs 'classes' and/or "
                    + "'scores'; signature '" + signature.key() + "' has " + signature.outputs().keySet());
        }
        return outputs;
    }

    private static void requireRegressOutput(final SignatureSpec signature) {
        if (!signature.outputs().containsKey("outputs")) {
            throw ServingException.invalidArgument("Expected regression signature output 'outputs'; signature '"
                    + signature.key() + "' has " + signature.outputs().keySet());
        }
    }

    private static TensorSpec exampleInput(final SignatureSpec signature, final String kind) {
        final TensorSpec input = signature.inputs().get("inputs");
        if (signature.inputs().size() != 1 || input == null) {
            throw ServingException.invalidArgument("Expected one input tensor named 'inputs' in " + kind
                    + " signature '" + signature.key() + "'; it has " + signature.inputs().keySet());
        }
        if (input.dtype().orElse(null) != DType.STRING) {
            throw ServingException.invalidArgument("The 'inputs' tensor of " + kind + " signature '"
                    + signature.key() + "' must be DT_STRING (serialized tf.Example), not " + input.dtypeName());
        }
        return input;
    }

    private static HostTensor tensor(final List<byte[]> examples) {
        if (examples.isEmpty()) {
            throw ServingException.invalidArgument("Input is empty.");
        }
        return HostTensor.ofStrings(new long[] {examples.size()}, examples.toArray(new byte[0][]));
    }

    private static List<List<ScoredClass>> classes(final HostTensor classes, final HostTensor scores,
                                                   final int examples) {
        final HostTensor shapeOf = scores != null ? scores : classes;
        final int perExample = perExample(shapeOf, examples, scores != null ? "scores" : "classes");
        if (classes != null && scores != null && classes.numElements() != scores.numElements()) {
            throw new ServingException(StatusCode.INVALID_ARGUMENT, "Tensors 'classes' and 'scores' differ in size: "
                    + classes.numElements() + " != " + scores.numElements());
        }
        final List<List<ScoredClass>> result = new ArrayList<>(examples);
        for (int e = 0; e < examples; e++) {
            final List<ScoredClass> row = new ArrayList<>(perExample);
            for (int c = 0; c < perExample; c++) {
                final int i = e * perExample + c;
                final String label = classes == null ? "" : new String(classes.stringAt(i), StandardCharsets.UTF_8);
                row.add(new ScoredClass(label, scores == null ? 0f : scores.floatAt(i)));
            }
            result.add(row);
        }
        return result;
    }

    private static List<Float> values(final HostTensor outputs, final int examples) {
        if (perExample(outputs, examples, "outputs") != 1 || outputs.dtype() != DType.FLOAT) {
            throw ServingException.invalidArgument(
                    "Expected output tensor 'outputs' of DT_FLOAT and shape [batch] or [batch, 1]");
        }
        final List<Float> values = new ArrayList<>(examples);
        for (int e = 0; e < examples; e++) {
            values.add(outputs.floatAt(e));
        }
        return values;
    }

    private static int perExample(final HostTensor tensor, final int examples, final String name) {
        if (tensor.rank() == 0 || tensor.dim(0) != examples || tensor.rank() > 2) {
            throw ServingException.invalidArgument("Expected output tensor '" + name + "' of shape [" + examples
                    + "] or [" + examples + ", n], got " + Arrays.toString(tensor.shape()));
        }
        if (tensor.dtype() != DType.FLOAT && tensor.dtype() != DType.STRING) {
            throw ServingException.invalidArgument("Output tensor '" + name + "' must be DT_FLOAT or DT_STRING");
        }
        return tensor.rank() == 1 ? 1 : Math.toIntExact(tensor.dim(1));
    }
}
