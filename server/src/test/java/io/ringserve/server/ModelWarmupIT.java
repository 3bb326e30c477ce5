package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.batching.BatchingOptions;
import io.ringserve.proto.serving.PredictLog;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictionLog;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.grpc.WarmupFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --enable_model_warmup} on the real server: a version whose warm-up fails does not serve unless it is off. */
class ModelWarmupIT {
    @TempDir
    Path dir;

    private Path modelWithFailingWarmup() throws IOException {
        final PredictionLog wrongInput = PredictionLog.newBuilder().setPredictLog(PredictLog.newBuilder()
                .setRequest(PredictRequest.newBuilder().putInputs("nope", TensorProto.newBuilder()
                        .setDtype(DataType.DT_FLOAT).addFloatVal(1f).build()))).build();
        return WarmupFiles.halfPlusTwoWith(Files.createTempDirectory(dir, "model"), WarmupFiles.of(wrongInput));
    }

    @Test
    void shouldWarmUpByDefaultAndSkipTheWarmupWhenItIsOff() throws Exception {
        try (RunningServer server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("m", modelWithFailingWarmup()))))) {
            final String status = server.get("/v1/models/m").body();
            assertThat(status).contains("\"state\" : \"END\"").contains("Warmup request 1 of");
            assertThat(server.post("/v1/models/m:predict", "{\"instances\": [1.0]}").statusCode()).isEqualTo(404);
        }
        try (RunningServer server = new RunningServer(ServerConfig.builder().modelWarmup(false)
                .models(List.of(new ModelConfig("m", modelWithFailingWarmup()))))) {
            assertThat(server.get("/v1/models/m").body()).contains("AVAILABLE");
            assertThat(server.post("/v1/models/m:predict", "{\"instances\": [1.0]}").body()).contains("2.5");
        }
    }

    @Test
    void withBatchingOnTheRecordedRequestsShouldGoThroughTheBatcherAndZerosStraightToTheModel() throws Exception {
        final PredictionLog twoRows = PredictionLog.newBuilder().setPredictLog(PredictLog.newBuilder()
                .setRequest(PredictRequest.newBuilder().putInputs("x", TensorProto.newBuilder()
                        .setDtype(DataType.DT_FLOAT).setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(2))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .addFloatVal(1f).addFloatVal(2f).build()))).build();
        final Path recorded = WarmupFiles.halfPlusTwoWith(Files.createTempDirectory(dir, "recorded"),
                WarmupFiles.of(twoRows));
        final Path bare = WarmupFiles.halfPlusTwoWith(Files.createTempDirectory(dir, "bare"), null);
        try (RunningServer server = new RunningServer(ServerConfig.builder()
                .models(List.of(new ModelConfig("recorded", recorded), new ModelConfig("bare", bare)))
                .batching(new BatchingConfig(true, BatchingOptions.builder().maxBatchSize(8).build(), false)))) {
            final String metrics = server.get("/metrics").body();
            final String batches = "inference_batches_total{model=\"recorded\",signature=\"serving_default\","
                    + "version=\"123\"}";
            assertThat(series(metrics, batches)).as("the one recorded request, batched as TF Serving's batching "
                    + "session replays it").containsExactly(batches + " 1.0");
            assertThat(series(metrics, "inference_batches_total{model=\"bare\"")).as("zeros run on the model")
                    .isEmpty();
            assertThat(server.post("/v1/models/bare:predict", "{\"instances\": [1.0]}").body()).contains("2.5");
        }
    }

    private static List<String> series(final String exposition, final String prefix) {
        return exposition.lines().filter(line -> line.startsWith(prefix)).toList();
    }
}
