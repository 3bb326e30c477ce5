package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.proto.serving.PredictLog;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictionLog;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
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
}
