package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.ModelState;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.VersionStatus;
import io.ringserve.models.VersionWarmup;
import io.ringserve.proto.serving.ClassificationRequest;
import io.ringserve.proto.serving.ClassifyLog;
import io.ringserve.proto.serving.ExampleList;
import io.ringserve.proto.serving.InferenceTask;
import io.ringserve.proto.serving.Input;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.MultiInferenceLog;
import io.ringserve.proto.serving.MultiInferenceRequest;
import io.ringserve.proto.serving.PredictLog;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictionLog;
import io.ringserve.proto.serving.RegressLog;
import io.ringserve.proto.serving.RegressionRequest;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.Example;
import io.ringserve.proto.tensorflow.Feature;
import io.ringserve.proto.tensorflow.Features;
import io.ringserve.proto.tensorflow.FloatList;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.SignatureMethodCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up replayed on TF Serving's half_plus_two through a real {@link ModelRegistry} and TensorFlow. */
class WarmupReplayTest {
    @TempDir
    Path dir;

    private static PredictionLog predict(final String input) {
        return PredictionLog.newBuilder().setPredictLog(PredictLog.newBuilder().setRequest(PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("whatever"))
                .putInputs(input, TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(2))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .addFloatVal(1f).addFloatVal(2f).build()))).build();
    }

    private static Input examples() {
        return Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(Example.newBuilder()
                .setFeatures(Features.newBuilder().putFeature("x", Feature.newBuilder()
                        .setFloatList(FloatList.newBuilder().addValue(3f)).build())))).build();
    }

    private final RecordingRunner runner = new RecordingRunner();

    private VersionStatus load(final byte[] warmup) throws IOException {
        return load(warmup, new WarmupReplay(SignatureMethodCheck.OFF, 1, runner, VersionWarmup.NONE));
    }

    private VersionStatus load(final byte[] warmup, final WarmupReplay replay) throws IOException {
        final ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS), replay);
        final ServedModel model = registry.add("m",
                WarmupFiles.halfPlusTwoWith(Files.createTempDirectory(dir, "model"), warmup));
        registry.loadAll();
        try {
            return model.status(123).orElseThrow();
        } finally {
            registry.close();
        }
    }

    @Test
    void eachRecordShouldBeReplayedAsManyTimesAsAskedThroughTheServersRunner() throws IOException {
        final byte[] twoRecords = WarmupFiles.of(predict("x"), PredictionLog.newBuilder().setRegressLog(
                RegressLog.newBuilder().setRequest(RegressionRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
                        .setSignatureName("regress_x_to_y")).setInput(examples()))).build());
        assertThat(load(twoRecords, new WarmupReplay(SignatureMethodCheck.OFF, 3, runner, VersionWarmup.NONE))
                .state()).isEqualTo(ModelState.AVAILABLE);
        assertThat(runner.calls).hasValue(6);
        assertThat(runner.retired).isEmpty();
    }

    @Test
    void aVersionWithoutAWarmupFileShouldBeWarmedUpTheOtherWay() throws IOException {
        final List<String> warmedOtherwise = new ArrayList<>();
        final WarmupReplay replay = new WarmupReplay(SignatureMethodCheck.OFF, 1, runner,
                model -> warmedOtherwise.add(model.name() + "/" + model.version()));
        assertThat(load(null, replay).state()).isEqualTo(ModelState.AVAILABLE);
        assertThat(warmedOtherwise).containsExactly("m/123");
        assertThat(runner.calls).hasValue(0);
        assertThat(load(WarmupFiles.of(predict("x")), replay).state()).isEqualTo(ModelState.AVAILABLE);
        assertThat(warmedOtherwise).as("a version with the file replays it only").hasSize(1);
    }

    @Test
    void shouldServeAVersionOnceItsWarmupRequestsRan() throws IOException {
        final PredictionLog classify = PredictionLog.newBuilder().setClassifyLog(ClassifyLog.newBuilder()
                .setRequest(ClassificationRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
                        .setSignatureName("classify_x_to_y")).setInput(examples()))).build();
        final PredictionLog regress = PredictionLog.newBuilder().setRegressLog(RegressLog.newBuilder()
                .setRequest(RegressionRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
                        .setSignatureName("regress_x_to_y")).setInput(examples()))).build();
        final PredictionLog multi = PredictionLog.newBuilder().setMultiInferenceLog(MultiInferenceLog.newBuilder()
                .setRequest(MultiInferenceRequest.newBuilder().setInput(examples())
                        .addTasks(InferenceTask.newBuilder().setMethodName(SignatureMethodCheck.REGRESS)
                                .setModelSpec(ModelSpec.newBuilder().setSignatureName("regress_x_to_y2"))))).build();
        assertThat(load(WarmupFiles.of(predict("x"), classify, regress, multi)).state())
                .isEqualTo(ModelState.AVAILABLE);
        assertThat(load(null).state()).as("no warm-up file: nothing to replay").isEqualTo(ModelState.AVAILABLE);
    }

    @Test
    void shouldFailTheVersionWhenAWarmupRequestFails() throws IOException {
        final VersionStatus status = load(WarmupFiles.of(predict("x"), predict("nope")));
        assertThat(status.state()).isEqualTo(ModelState.END);
        assertThat(status.error()).hasValueSatisfying(error -> assertThat(error)
                .contains("Warmup request 2 of").contains("tf_serving_warmup_requests")
                .contains("input size does not match signature"));
        assertThat(runner.retired).as("the runner frees what it opened for the version").containsExactly("m/123");
    }

    @Test
    void eachReplayShouldTellItsOutcomeAsTfServingPrintsItsStatus() throws IOException {
        final List<String> outcomes = new ArrayList<>();
        final WarmupReplay.Outcomes told = (directory, status, nanos) -> outcomes.add(
                directory.getFileName() + " " + status);
        load(WarmupFiles.of(predict("x")), new WarmupReplay(SignatureMethodCheck.OFF, 1, runner, VersionWarmup.NONE,
                told));
        load(WarmupFiles.of(predict("x"), predict("nope")), new WarmupReplay(SignatureMethodCheck.OFF, 1, runner,
                VersionWarmup.NONE, told));
        load(null, new WarmupReplay(SignatureMethodCheck.OFF, 1, runner, VersionWarmup.NONE, told));
        assertThat(outcomes).as("a version without the file replays nothing").hasSize(2);
        assertThat(outcomes.get(0)).isEqualTo("00000123 OK");
        assertThat(outcomes.get(1)).startsWith("00000123 INVALID_ARGUMENT: Warmup request 2 of ")
                .contains("input size does not match signature");
    }

    @Test
    void shouldRefuseLogTypesItDoesNotReplay() throws IOException {
        final PredictionLog sessionRun = PredictionLog.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(5, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.EMPTY).build())
                .build()).build();
        assertThat(load(WarmupFiles.of(sessionRun)).error())
                .hasValueSatisfying(error -> assertThat(error).contains("Unsupported log_type for warmup: "
                        + "session_run_log"));
    }

    @Test
    void shouldRefuseMoreThanTfServingsLimitOfRecords() throws IOException {
        final List<PredictionLog> logs = new ArrayList<>(Collections.nCopies(1001, predict("x")));
        assertThat(load(WarmupFiles.of(logs.toArray(PredictionLog[]::new))).error())
                .hasValueSatisfying(error -> assertThat(error)
                        .contains("Number of warmup records exceeds the maximum (1000)"));
    }

    @Test
    void shouldRefuseAFileThatIsNotTfRecords() throws IOException {
        final byte[] records = WarmupFiles.of(predict("x"));
        records[records.length - 1] ^= 1;
        assertThat(load(records).error()).hasValueSatisfying(error -> assertThat(error)
                .contains("checksum does not match").contains("Please verify your warmup data is in TFRecord format"));
        assertThat(load(new byte[] {1, 2, 3}).error()).hasValueSatisfying(error -> assertThat(error)
                .contains("the file ends inside a record's header"));
    }

    /** Runs each call at once on the calling thread, straight on the model; counts calls and retired versions. */
    private static final class RecordingRunner implements ModelRunner {
        final AtomicInteger calls = new AtomicInteger();
        final List<String> retired = new ArrayList<>();

        @Override
        public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel model, final SignatureSpec signature,
                                                              final Map<String, HostTensor> inputs,
                                                              final List<String> outputs, final long deadline) {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(model.run(signature, inputs, outputs));
        }

        @Override
        public boolean shutdown(final Duration drain) {
            return true;
        }

        @Override
        public void retire(final LoadedModel model) {
            retired.add(model.name() + "/" + model.version());
        }
    }
}
