package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.models.ModelVersionsOnDisk;
import io.ringserve.proto.inference.GRPCInferenceServiceGrpc;
import io.ringserve.proto.inference.RepositoryModelLoadRequest;
import io.ringserve.proto.inference.RepositoryModelUnloadRequest;
import io.ringserve.proto.inference.ServerMetadataRequest;
import io.ringserve.server.grpc.WarmupFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KServe V2's model repository extension on the real server ({@code --enable_model_repository_api}): a repository
 * that starts empty, models loaded and unloaded by name over REST and gRPC as KServe's multi-model serving does.
 */
class ModelRepositoryIT {
    @TempDir
    Path repository;

    @Test
    void modelsShouldBeLoadedAndUnloadedByNameOverRestAndGrpc() throws Exception {
        try (RunningServer server = RunningServer.withGrpc(ServerConfig.builder().modelRepositoryApi(repository))) {
            assertThat(server.get("/v2").body()).contains("\"model_repository\"");
            assertThat(server.post("/v2/repository/index", "").body()).isEqualTo("[]");
            final var wrongMethod = server.get("/v2/repository/models/hpt/load");
            assertThat(wrongMethod.statusCode()).isEqualTo(405);
            assertThat(wrongMethod.headers().firstValue("allow")).contains("POST");
            assertThat(server.get("/v2/repository/nothing").statusCode()).as("no such path").isEqualTo(404);

            WarmupFiles.halfPlusTwoWith(repository.resolve("hpt"), null);
            final var loaded = server.post("/v2/repository/models/hpt/load", "");
            assertThat(loaded.statusCode()).isEqualTo(200);
            assertThat(loaded.body()).isEqualTo("{\"name\":\"hpt\",\"load\":true}");
            assertThat(server.post("/v1/models/hpt:predict", "{\"instances\": [1.0]}").body()).contains("2.5");
            assertThat(server.post("/v2/repository/index", "{\"ready\": true}").body())
                    .isEqualTo("[{\"name\":\"hpt\",\"version\":\"123\",\"state\":\"READY\"}]");

            Files.createDirectories(repository.resolve("empty"));
            assertThat(server.post("/v2/repository/index", "").body())
                    .isEqualTo("[{\"name\":\"empty\"},{\"name\":\"hpt\",\"version\":\"123\",\"state\":\"READY\"}]");
            final var noVersion = server.post("/v2/repository/models/empty/load", "");
            assertThat(noVersion.statusCode()).isEqualTo(400);
            assertThat(noVersion.body()).contains("Model empty did not load from");
            new ModelVersionsOnDisk(repository.resolve("broken")).addBroken(1);
            final var broken = server.post("/v2/repository/models/broken/load", "");
            assertThat(broken.statusCode()).isEqualTo(400);
            assertThat(broken.body()).contains("Model broken did not load from");
            assertThat(server.post("/v2/repository/index", "").body()).startsWith(
                    "[{\"name\":\"broken\",\"version\":\"1\",\"state\":\"UNAVAILABLE\",\"reason\":\"");
            assertThat(server.post("/v2/repository/models/broken/unload", "").statusCode())
                    .as("a model that did not load can be unloaded").isEqualTo(200);
            final var missing = server.post("/v2/repository/models/missing/load", "");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("No model directory missing in the model repository");
            assertThat(server.post("/v2/repository/models/%2E%2E/load", "").statusCode()).isEqualTo(400);
            assertThat(server.post("/v2/repository/models/a%00b/load", "").statusCode()).isEqualTo(400);
            assertThat(server.post("/v2/repository/models/hpt/unload", "").body())
                    .isEqualTo("{\"name\":\"hpt\",\"unload\":true}");
            assertThat(server.post("/v1/models/hpt:predict", "{\"instances\": [1.0]}").statusCode()).isEqualTo(404);
            assertThat(server.post("/v2/repository/models/hpt/unload", "").statusCode()).isEqualTo(404);

            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1",
                    server.server().grpcPort()).usePlaintext().build();
            try {
                final var v2 = GRPCInferenceServiceGrpc.newBlockingStub(channel);
                assertThat(v2.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getExtensionsList())
                        .containsExactly("model_repository");
                assertThat(v2.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("hpt")
                        .build()).getIsLoaded()).isTrue();
                assertThat(server.post("/v1/models/hpt:predict", "{\"instances\": [2.0]}").body()).contains("3.0");
                assertThat(v2.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("hpt")
                        .build()).getIsUnloaded()).isTrue();
                assertThatThrownBy(() -> v2.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder()
                        .setModelName("hpt").build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withoutTheExtensionLoadingByNameShouldBeRefusedSayingWhatItNeeds() throws Exception {
        try (RunningServer server = RunningServer.serving(List.of(new ModelConfig("m",
                RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))))) {
            final var refused = server.post("/v2/repository/models/m/load", "");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("--enable_model_repository_api");
            assertThat(server.get("/v2").body()).doesNotContain("model_repository");
        }
    }
}
