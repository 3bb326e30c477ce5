package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.TestData;
import io.ringserve.models.VersionPolicy;
import io.ringserve.proto.serving.ClassificationRequest;
import io.ringserve.proto.serving.ClassificationResponse;
import io.ringserve.proto.serving.ExampleList;
import io.ringserve.proto.serving.ExampleListWithContext;
import io.ringserve.proto.serving.GetModelMetadataRequest;
import io.ringserve.proto.serving.GetModelMetadataResponse;
import io.ringserve.proto.serving.GetModelStatusRequest;
import io.ringserve.proto.serving.InferenceTask;
import io.ringserve.proto.serving.Input;
import io.ringserve.proto.serving.ModelServiceGrpc;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.ModelVersionStatus;
import io.ringserve.proto.serving.MultiInferenceRequest;
import io.ringserve.proto.serving.MultiInferenceResponse;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.serving.Regression;
import io.ringserve.proto.serving.RegressionRequest;
import io.ringserve.proto.serving.RegressionResponse;
import io.ringserve.proto.serving.SignatureDefMap;
import io.ringserve.proto.tensorflow.BytesList;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.Example;
import io.ringserve.proto.tensorflow.Feature;
import io.ringserve.proto.tensorflow.Features;
import io.ringserve.proto.tensorflow.FloatList;
import io.ringserve.proto.tensorflow.Int64List;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.inference.DirectModelRunner;
import io.ringserve.server.inference.InferenceExecutor;
import io.ringserve.server.inference.ModelResolver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PredictionService and ModelService in-process, on TF Serving's half_plus_two (version 123). */
class PredictionGrpcServiceTest {
    private static ModelRegistry registry;
    private static GrpcServer server;
    private static ManagedChannel channel;
    private static PredictionServiceGrpc.PredictionServiceBlockingStub predictions;
    private static ModelServiceGrpc.ModelServiceBlockingStub models;

    @BeforeAll
    static void start() {
        registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        registry.add("half_plus_two", TestData.tfServing("saved_model_half_plus_two_cpu"));
        registry.add("two_versions", TestData.tfServing("saved_model_half_plus_two_2_versions"),
                new VersionPolicy.All(), java.util.Map.of("stable", 123L, "canary", 124L));
        registry.loadAll();
        final String name = InProcessServerBuilder.generateName();
        server = new GrpcServer(InProcessServerBuilder.forName(name).directExecutor(), new ModelResolver(registry),
                new DirectModelRunner(new InferenceExecutor(2, 64, System::nanoTime), (m, n) -> { })).start();
        server.setServing(true);
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        predictions = PredictionServiceGrpc.newBlockingStub(channel);
        models = ModelServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow();
        server.awaitTermination(Duration.ofSeconds(5));
        registry.close();
    }

    private static ModelSpec spec() {
        return ModelSpec.newBuilder().setName("half_plus_two").build();
    }

    private static TensorProto floats(final long[] shape, final float... values) {
        final TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
        for (long d : shape) {
            dims.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        final TensorProto.Builder proto = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(dims);
        for (float v : values) {
            proto.addFloatVal(v);
        }
        return proto.build();
    }

    @Test
    void shouldPredictFromTypedValuesAndEchoTheResolvedSpec() {
        final PredictResponse response = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec())
                .putInputs("x", floats(new long[] {3, 1}, 1f, 2f, 5f)).build());
        assertThat(response.getOutputsOrThrow("y").getFloatValList()).containsExactly(2.5f, 3f, 4.5f);
        assertThat(response.getOutputsOrThrow("y").getTensorShape().getDimList())
                .extracting(TensorShapeProto.Dim::getSize).containsExactly(3L, 1L);
        assertThat(response.getModelSpec()).isEqualTo(ModelSpec.newBuilder().setName("half_plus_two")
                .setVersion(Int64Value.of(123)).setSignatureName("serving_default").build());
    }

    @Test
    void shouldPredictFromTensorContent() {
        final ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(4f).putFloat(8f);
        final TensorProto x = floats(new long[] {2, 1}).toBuilder()
                .setTensorContent(ByteString.copyFrom(raw.array())).build();
        final PredictResponse response = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec())
                .putInputs("x", x).build());
        assertThat(response.getOutputsOrThrow("y").getFloatValList()).containsExactly(4f, 6f);
    }

    @Test
    void shouldAnswerAScalarWithAScalarAsTfServingsTestExpects() {
        final TensorProto scalar = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).addFloatVal(2f).build();
        final TensorProto y = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec())
                .putInputs("x", scalar).build()).getOutputsOrThrow("y");
        assertThat(y.getTensorShape()).isEqualTo(TensorShapeProto.getDefaultInstance());
        assertThat(y.getFloatValList()).containsExactly(3f);
    }

    @Test
    void shouldFillShortValueListsAsTensorFlowDoes() {
        final TensorProto y = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec())
                .putInputs("x", floats(new long[] {3, 1}, 1f, 4f)).build()).getOutputsOrThrow("y");
        assertThat(y.getFloatValList()).containsExactly(2.5f, 4f, 4f);
    }

    @Test
    void shouldServeANamedSignatureAndAnOutputFilter() {
        final PredictResponse response = predictions.predict(PredictRequest.newBuilder()
                .setModelSpec(spec().toBuilder().setSignatureName("regress_x2_to_y3"))
                .putInputs("inputs", floats(new long[] {1, 1}, 1f)).addOutputFilter("outputs").build());
        assertThat(response.getOutputsOrThrow("outputs").getFloatValList()).containsExactly(3.5f);
        assertThat(response.getModelSpec().getSignatureName()).isEqualTo("regress_x2_to_y3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no model spec|INVALID_ARGUMENT|Missing ModelSpec",
        "empty name|INVALID_ARGUMENT|ModelSpec has no name specified.",
        "unknown model|NOT_FOUND|Servable not found for request: Latest(nope)",
        "unknown version|NOT_FOUND|Servable not found for request: Specific(half_plus_two, 7)",
        "label|INVALID_ARGUMENT|Unrecognized servable version label: stable",
        "empty label|INVALID_ARGUMENT|Unrecognized servable version label: (an empty label)",
        "unknown signature|FAILED_PRECONDITION|Serving signature key \"nope\" not found.",
        "missing input|INVALID_ARGUMENT|input size does not match signature: 0!=1 len({}) != len({x}). Sent extra: {}. Missing but required: {x}.",
        "wrong alias|INVALID_ARGUMENT|Sent extra: {z}. Missing but required: {x}.",
        "wrong dtype|INVALID_ARGUMENT|Expects arg[x] to be float but string is provided",
        "unknown output|INVALID_ARGUMENT|output tensor alias not found in signature: nope Outputs expected to be in the set {y}.",
        "duplicate output|INVALID_ARGUMENT|duplicate output tensor alias: y",
        "bad content|INVALID_ARGUMENT|tensor_content has 3 bytes",
        "elements past a long|INVALID_ARGUMENT|Input 'x' has too many elements: shape [4294967296, 4294967296]",
        "elements past a tensor|INVALID_ARGUMENT|Input 'x' has too many elements: shape [4294967296] holds 4294967296",
        "bytes past a tensor|INVALID_ARGUMENT|shape [2147483647] holds 2147483647; a float tensor holds at most 536870911",
        "fill past the limit|INVALID_ARGUMENT|Input 'x' has 1 values for shape [100000000]: filling in the other "
            + "99999999 as TensorFlow does would take 399999996 bytes, more than the 268435456 a request may carry",
        "empty fill past the limit|INVALID_ARGUMENT|Input 'x' has 0 values for shape [100000000]",
    })
    void shouldAnswerTfServingsErrors(final String mistake, final Status.Code code, final String message) {
        final PredictRequest good = PredictRequest.newBuilder().setModelSpec(spec())
                .putInputs("x", floats(new long[] {1, 1}, 1f)).build();
        final PredictRequest request = switch (mistake) {
            case "no model spec" -> good.toBuilder().clearModelSpec().build();
            case "empty name" -> good.toBuilder().setModelSpec(ModelSpec.newBuilder()).build();
            case "unknown model" -> good.toBuilder().setModelSpec(ModelSpec.newBuilder().setName("nope")).build();
            case "unknown version" -> good.toBuilder().setModelSpec(spec().toBuilder()
                    .setVersion(Int64Value.of(7))).build();
            case "label" -> good.toBuilder().setModelSpec(spec().toBuilder().setVersionLabel("stable")).build();
            case "empty label" -> good.toBuilder().setModelSpec(spec().toBuilder().setVersionLabel("")).build();
            case "unknown signature" -> good.toBuilder().setModelSpec(spec().toBuilder().setSignatureName("nope"))
                    .build();
            case "missing input" -> good.toBuilder().clearInputs().build();
            case "wrong alias" -> good.toBuilder().clearInputs().putInputs("z", floats(new long[] {1}, 1f)).build();
            case "wrong dtype" -> good.toBuilder().putInputs("x", TensorProto.newBuilder()
                    .setDtype(DataType.DT_STRING).addStringVal(ByteString.copyFromUtf8("a")).build()).build();
            case "unknown output" -> good.toBuilder().addOutputFilter("nope").build();
            case "duplicate output" -> good.toBuilder().addOutputFilter("y").addOutputFilter("y").build();
            case "bad content" -> good.toBuilder().putInputs("x", floats(new long[] {1, 1}).toBuilder()
                    .setTensorContent(ByteString.copyFrom(new byte[3])).build()).build();
            case "elements past a long" -> good.toBuilder().putInputs("x", floats(new long[] {1L << 32, 1L << 32}, 1f))
                    .build();
            case "elements past a tensor" -> good.toBuilder().putInputs("x", floats(new long[] {1L << 32}, 1f)).build();
            case "bytes past a tensor" -> good.toBuilder().putInputs("x", floats(new long[] {Integer.MAX_VALUE}, 1f))
                    .build();
            // TensorFlow's fill rule would turn a message of a few bytes into 400 MB: refused, nothing allocated.
            case "fill past the limit" -> good.toBuilder().putInputs("x", floats(new long[] {100_000_000}, 1f))
                    .build();
            case "empty fill past the limit" -> good.toBuilder().putInputs("x", floats(new long[] {100_000_000}))
                    .build();
            default -> throw new IllegalArgumentException(mistake);
        };
        assertThatThrownBy(() -> predictions.predict(request)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(message);
                });
        assertThat(predictions.predict(good).getOutputsOrThrow("y").getFloatValList()).containsExactly(2.5f);
    }

    /**
     * Seeded random inputs (any dtype, any dimensions, values in any typed field, tensor_content of any length):
     * each is answered, or refused with INVALID_ARGUMENT, and the server goes on answering. An INTERNAL or UNKNOWN
     * here is a client-triggered bug.
     */
    @Test
    void shouldAnswerOrRefuseEveryRandomInputWithInvalidArgument() {
        final Random random = new Random(20261130);
        final long[] dims = {0, 1, 2, 3, 5, 1L << 20, 1L << 31, 1L << 33, Long.MAX_VALUE};
        final DataType[] types = {DataType.DT_FLOAT, DataType.DT_FLOAT, DataType.DT_DOUBLE, DataType.DT_INT32,
            DataType.DT_STRING, DataType.DT_HALF, DataType.DT_INVALID, DataType.DT_COMPLEX64, DataType.DT_RESOURCE};
        int answered = 0;
        for (int i = 0; i < 400; i++) {
            final TensorProto.Builder x = TensorProto.newBuilder().setDtype(types[random.nextInt(types.length)]);
            final TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                    .setUnknownRank(random.nextInt(20) == 0);
            for (int rank = random.nextInt(4); rank > 0; rank--) {
                shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(random.nextInt(10) == 0
                        ? -1 - random.nextInt(3) : dims[random.nextInt(dims.length)]));
            }
            x.setTensorShape(shape);
            for (int values = random.nextInt(6); values > 0; values--) {
                switch (random.nextInt(5)) {
                    case 0 -> x.addFloatVal(random.nextFloat());
                    case 1 -> x.addDoubleVal(random.nextDouble());
                    case 2 -> x.addIntVal(random.nextInt());
                    case 3 -> x.addStringVal(ByteString.copyFromUtf8("v" + values));
                    default -> x.addHalfVal(random.nextInt(1 << 16));
                }
            }
            if (random.nextInt(4) == 0) {
                x.setTensorContent(ByteString.copyFrom(new byte[random.nextInt(4) * 4 + random.nextInt(2)]));
            }
            final PredictRequest request = PredictRequest.newBuilder().setModelSpec(spec()).putInputs("x", x.build())
                    .build();
            try {
                predictions.predict(request);
                answered++;
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).as("%s: %s", request.getInputsOrThrow("x"), e.getStatus())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
            }
        }
        assertThat(answered).as("the generator makes answerable inputs too").isBetween(10, 390);
        final PredictRequest good = PredictRequest.newBuilder().setModelSpec(spec())
                .putInputs("x", floats(new long[] {1, 1}, 1f)).build();
        assertThat(predictions.predict(good).getOutputsOrThrow("y").getFloatValList()).containsExactly(2.5f);
    }

    @Test
    void shouldAnswerMetadataWithEverySignatureDef() throws Exception {
        final GetModelMetadataResponse response = predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
                .setModelSpec(spec()).addMetadataField("signature_def").build());
        assertThat(response.getModelSpec()).isEqualTo(ModelSpec.newBuilder().setName("half_plus_two")
                .setVersion(Int64Value.of(123)).build());
        assertThat(response.getMetadataOrThrow("signature_def").getTypeUrl())
                .isEqualTo("type.googleapis.com/tensorflow.serving.SignatureDefMap");
        final SignatureDefMap signatures = response.getMetadataOrThrow("signature_def").unpack(SignatureDefMap.class);
        assertThat(signatures.getSignatureDefMap()).containsKeys("serving_default", "classify_x_to_y",
                "regress_x_to_y", "regress_x_to_y2", "regress_x2_to_y3");
        assertThat(signatures.getSignatureDefOrThrow("serving_default").getInputsOrThrow("x").getName())
                .isEqualTo("x:0");
        assertThat(signatures.getSignatureDefOrThrow("serving_default").getMethodName())
                .isEqualTo("tensorflow/serving/predict");
    }

    @Test
    void shouldRejectMetadataRequestsWithoutOrWithUnknownFields() {
        assertThatThrownBy(() -> predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
                .setModelSpec(spec()).build()))
                .hasMessageContaining("GetModelMetadataRequest must specify at least one metadata_field");
        assertThatThrownBy(() -> predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
                .setModelSpec(spec()).addMetadataField("graph").build()))
                .hasMessageContaining("Metadata field graph is not supported");
        // TF Serving's order: the spec first, then each field in turn, the model resolved at signature_def.
        assertThatThrownBy(() -> predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
                .addMetadataField("graph").build())).hasMessageContaining("Missing ModelSpec");
        assertThatThrownBy(() -> predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("nope")).addMetadataField("signature_def")
                .addMetadataField("graph").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void shouldAnswerModelStatus() {
        final ModelVersionStatus status = models.getModelStatus(GetModelStatusRequest.newBuilder()
                .setModelSpec(spec()).build()).getModelVersionStatus(0);
        assertThat(status.getVersion()).isEqualTo(123);
        assertThat(status.getState()).isEqualTo(ModelVersionStatus.State.AVAILABLE);
        assertThat(status.getStatus().getErrorMessage()).isEmpty();
        assertThatThrownBy(() -> models.getModelStatus(GetModelStatusRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("nope")).build()))
                .hasMessageContaining("Could not find any versions of model nope");
    }

    @Test
    void shouldResolveVersionLabelsToTheirVersions() {
        final PredictRequest request = PredictRequest.newBuilder()
                .putInputs("x", floats(new long[] {1, 1}, 1f)).build();
        for (var label : java.util.Map.of("stable", 123L, "canary", 124L).entrySet()) {
            final ModelSpec spec = ModelSpec.newBuilder().setName("two_versions").setVersionLabel(label.getKey())
                    .build();
            final PredictResponse response = predictions.predict(request.toBuilder().setModelSpec(spec).build());
            assertThat(response.getModelSpec().getVersion().getValue()).isEqualTo(label.getValue());
            assertThat(response.getOutputsOrThrow("y").getFloatValList()).containsExactly(2.5f);
            assertThat(models.getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(spec).build())
                    .getModelVersionStatusList()).extracting(ModelVersionStatus::getVersion)
                    .containsExactly(label.getValue());
        }
        final PredictResponse newest = predictions.predict(request.toBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("two_versions")).build());
        assertThat(newest.getModelSpec().getVersion().getValue()).isEqualTo(124);
        assertThatThrownBy(() -> predictions.predict(request.toBuilder().setModelSpec(ModelSpec.newBuilder()
                .setName("two_versions").setVersionLabel("beta")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("Unrecognized servable version label: beta");
                });
    }

    private static Example example(final float x) {
        return Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x", Feature.newBuilder()
                .setFloatList(FloatList.newBuilder().addValue(x)).build())).build();
    }

    private static Input examples(final float... xs) {
        final ExampleList.Builder list = ExampleList.newBuilder();
        for (float x : xs) {
            list.addExamples(example(x));
        }
        return Input.newBuilder().setExampleList(list).build();
    }

    @Test
    void shouldClassifyExamples() {
        final ClassificationResponse response = predictions.classify(ClassificationRequest.newBuilder()
                .setModelSpec(spec().toBuilder().setSignatureName("classify_x_to_y")).setInput(examples(1f, 5f))
                .build());
        assertThat(response.getResult().getClassificationsList()).hasSize(2);
        assertThat(response.getResult().getClassifications(0).getClasses(0).getScore()).isEqualTo(2.5f);
        assertThat(response.getResult().getClassifications(0).getClasses(0).getLabel()).isEmpty();
        assertThat(response.getResult().getClassifications(1).getClasses(0).getScore()).isEqualTo(4.5f);
        assertThat(response.getModelSpec().getSignatureName()).isEqualTo("classify_x_to_y");
        assertThat(response.getModelSpec().getVersion().getValue()).isEqualTo(123);
    }

    @Test
    void shouldRegressExamplesWithAndWithoutContext() {
        final RegressionResponse plain = predictions.regress(RegressionRequest.newBuilder()
                .setModelSpec(spec().toBuilder().setSignatureName("regress_x_to_y2")).setInput(examples(1f, 5f))
                .build());
        assertThat(plain.getResult().getRegressionsList()).extracting(Regression::getValue)
                .containsExactly(3.5f, 5.5f);
        final Input withContext = Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
                .setContext(example(2f)).addExamples(Example.getDefaultInstance()).addExamples(example(4f))).build();
        final RegressionResponse merged = predictions.regress(RegressionRequest.newBuilder()
                .setModelSpec(spec().toBuilder().setSignatureName("regress_x_to_y")).setInput(withContext).build());
        // The first example takes x from the context; the second's own x wins.
        assertThat(merged.getResult().getRegressionsList()).extracting(Regression::getValue)
                .containsExactly(3f, 4f);
    }

    @Test
    void shouldRunMultiInference() {
        final MultiInferenceResponse response = predictions.multiInference(MultiInferenceRequest.newBuilder()
                .addTasks(InferenceTask.newBuilder().setModelSpec(spec().toBuilder()
                        .setSignatureName("classify_x_to_y")).setMethodName("tensorflow/serving/classify"))
                .addTasks(InferenceTask.newBuilder().setModelSpec(spec().toBuilder()
                        .setSignatureName("regress_x_to_y2")).setMethodName("tensorflow/serving/regress"))
                .setInput(examples(3f)).build());
        assertThat(response.getResults(0).getClassificationResult().getClassifications(0).getClasses(0).getScore())
                .isEqualTo(3.5f);
        assertThat(response.getResults(1).getRegressionResult().getRegressions(0).getValue()).isEqualTo(4.5f);
        assertThat(response.getResults(1).getModelSpec().getSignatureName()).isEqualTo("regress_x_to_y2");
    }

    private static InferenceTask task(final String model, final String signature, final String method) {
        return InferenceTask.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model)
                .setSignatureName(signature)).setMethodName(method).build();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "half_plus_two|classify_x_to_y|tensorflow/serving/regress|other|regress_x_to_y|tensorflow/serving/regress|"
            + "INVALID_ARGUMENT|All ModelSpecs in a MultiInferenceRequest must access the same model name.",
        "half_plus_two|classify_x_to_y|tensorflow/serving/classify|''|regress_x_to_y|tensorflow/serving/regress|"
            + "INVALID_ARGUMENT|Found ModelSpec with an empty model name.",
        "half_plus_two|regress_x_to_y|tensorflow/serving/regress|half_plus_two|regress_x_to_y|"
            + "tensorflow/serving/classify|INVALID_ARGUMENT|Duplicate evaluation of signature: regress_x_to_y",
        "half_plus_two|classify_x_to_y|tensorflow/serving/classify|half_plus_two|nope|tensorflow/serving/regress|"
            + "INVALID_ARGUMENT|Requested signature not found in model graph: nope",
        "half_plus_two|classify_x_to_y|tensorflow/serving/classify|half_plus_two|regress_x_to_y|"
            + "tensorflow/serving/predict|UNIMPLEMENTED|Unsupported signature method_name: tensorflow/serving/predict",
        "half_plus_two|regress_x_to_y|tensorflow/serving/regress|half_plus_two|regress_x2_to_y3|"
            + "tensorflow/serving/regress|INVALID_ARGUMENT|Input tensor must be the same for all Signatures.",
        "nope|regress_x_to_y|tensorflow/serving/regress|half_plus_two|classify_x_to_y|tensorflow/serving/classify|"
            + "NOT_FOUND|Servable not found for request: Latest(nope)"})
    void multiInferenceShouldRefuseTasksAsTfServingDoes(final String model1, final String signature1,
                                                        final String method1, final String model2,
                                                        final String signature2, final String method2,
                                                        final Status.Code code, final String message) {
        assertThatThrownBy(() -> predictions.multiInference(MultiInferenceRequest.newBuilder()
                .addTasks(task(model1, signature1, method1)).addTasks(task(model2, signature2, method2))
                .setInput(examples(1f)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).startsWith(message);
                });
    }

    @Test
    void multiInferenceShouldRunEveryTaskOnTheVersionTheFirstTaskNames() {
        final MultiInferenceResponse response = predictions.multiInference(MultiInferenceRequest.newBuilder()
                .addTasks(InferenceTask.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("two_versions")
                        .setVersion(Int64Value.of(123)).setSignatureName("regress_x_to_y"))
                        .setMethodName("tensorflow/serving/regress"))
                .addTasks(InferenceTask.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("two_versions")
                        .setSignatureName("classify_x_to_y")).setMethodName("tensorflow/serving/classify"))
                .setInput(examples(2f)).build());
        assertThat(response.getResultsList()).extracting(result -> result.getModelSpec().getVersion().getValue())
                .containsExactly(123L, 123L);
    }

    /**
     * Seeded random Classify and Regress calls (examples with x of any kind and count, other features, contexts,
     * signatures that take examples or not, or are not there): each is answered, or refused with INVALID_ARGUMENT,
     * never INTERNAL.
     */
    @Test
    void shouldAnswerOrRefuseEveryRandomExampleCallWithTheRightCode() {
        final Random random = new Random(20261130);
        final String[] signatures = {"classify_x_to_y", "classify_x_to_y", "regress_x_to_y", "regress_x_to_y",
            "regress_x_to_y2", "regress_x2_to_y3", "serving_default", "nope", ""};
        final String[] features = {"x", "x", "x", "x", "x", "x2", "y", ""};
        int answered = 0;
        for (int i = 0; i < 300; i++) {
            final ExampleListWithContext.Builder list = ExampleListWithContext.newBuilder();
            for (int n = random.nextInt(4); n > 0; n--) {
                list.addExamples(randomExample(random, features));
            }
            if (random.nextInt(3) == 0) {
                list.setContext(randomExample(random, features));
            }
            final Input input = random.nextBoolean()
                    ? Input.newBuilder().setExampleListWithContext(list).build()
                    : Input.newBuilder().setExampleList(ExampleList.newBuilder().addAllExamples(list.getExamplesList()))
                            .build();
            final ModelSpec spec = spec().toBuilder().setSignatureName(signatures[random.nextInt(signatures.length)])
                    .build();
            try {
                // Mostly the call the signature's name suggests, sometimes the other.
                if (spec.getSignatureName().startsWith("classify") != (random.nextInt(5) == 0)) {
                    predictions.classify(ClassificationRequest.newBuilder().setModelSpec(spec).setInput(input).build());
                } else {
                    predictions.regress(RegressionRequest.newBuilder().setModelSpec(spec).setInput(input).build());
                }
                answered++;
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).as("%s %s: %s", spec.getSignatureName(), input, e.getStatus())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
            }
        }
        assertThat(answered).as("the generator makes answerable calls too").isBetween(10, 290);
    }

    private static Example randomExample(final Random random, final String[] names) {
        final Features.Builder features = Features.newBuilder();
        for (int n = 1 + random.nextInt(2); n > 0; n--) {
            final Feature.Builder feature = Feature.newBuilder();
            final int count = random.nextInt(4) == 0 ? random.nextInt(3) : 1;
            switch (random.nextInt(6)) {
                case 0, 1, 2, 3 -> {
                    final FloatList.Builder floats = FloatList.newBuilder();
                    for (int k = 0; k < count; k++) {
                        floats.addValue(random.nextFloat() * 10);
                    }
                    feature.setFloatList(floats);
                }
                case 4 -> feature.setInt64List(Int64List.newBuilder().addValue(random.nextLong()));
                default -> feature.setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("b")));
            }
            features.putFeature(names[random.nextInt(names.length)], feature.build());
        }
        return Example.newBuilder().setFeatures(features).build();
    }

    @Test
    void shouldRejectEmptyInputsAndSignaturesThatDoNotTakeExamples() {
        assertThatThrownBy(() -> predictions.regress(RegressionRequest.newBuilder()
                .setModelSpec(spec().toBuilder().setSignatureName("regress_x_to_y")).build()))
                .hasMessageContaining("Input is empty.");
        assertThatThrownBy(() -> predictions.classify(ClassificationRequest.newBuilder()
                .setModelSpec(spec().toBuilder().setSignatureName("nope")).setInput(examples(1f)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus())
                        .hasToString(Status.INVALID_ARGUMENT.withDescription(
                                "No signature was found with the name: nope").toString()));
        assertThatThrownBy(() -> predictions.classify(ClassificationRequest.newBuilder().setModelSpec(spec())
                .setInput(examples(1f)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("'inputs'");
                });
        assertThatThrownBy(() -> predictions.multiInference(MultiInferenceRequest.newBuilder()
                .addTasks(InferenceTask.newBuilder().setModelSpec(spec()).setMethodName("tensorflow/serving/predict"))
                .setInput(examples(1f)).build()))
                .hasMessageContaining("Unsupported signature method_name");
    }
}
