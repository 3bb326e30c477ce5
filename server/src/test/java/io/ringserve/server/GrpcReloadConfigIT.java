package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.ringserve.models.TestData;
import io.ringserve.proto.serving.GetModelStatusRequest;
import io.ringserve.proto.serving.ModelConfigList;
import io.ringserve.proto.serving.ModelServerConfig;
import io.ringserve.proto.serving.ModelServiceGrpc;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.ModelVersionStatus;
import io.ringserve.proto.serving.ReloadConfigRequest;
import io.ringserve.proto.serving.ServableVersionPolicy;
import io.ringserve.proto.tensorflow.error.Code;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ModelService/HandleReloadConfigRequest on the real server: the request's config replaces the models served. */
class GrpcReloadConfigIT {
    @Test
    void shouldServeExactlyTheModelsOfTheReloadedConfig() throws Exception {
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config().build()).start()) {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext().build();
            try {
                final var models = ModelServiceGrpc.newBlockingStub(channel);
                final io.ringserve.proto.serving.ModelConfig two = io.ringserve.proto.serving.ModelConfig.newBuilder()
                        .setName("two").setModelPlatform("tensorflow")
                        .setBasePath(TestData.tfServing("saved_model_half_plus_two_2_versions").toString())
                        .setModelVersionPolicy(ServableVersionPolicy.newBuilder().setSpecific(
                                ServableVersionPolicy.Specific.newBuilder().addVersions(123)))
                        .putVersionLabels("stable", 123).build();
                assertThat(models.handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
                        .setConfig(ModelServerConfig.newBuilder().setModelConfigList(ModelConfigList.newBuilder()
                                .addConfig(two))).build()).getStatus().getErrorCode()).isEqualTo(Code.OK);

                final ModelVersionStatus status = models.getModelStatus(GetModelStatusRequest.newBuilder()
                        .setModelSpec(ModelSpec.newBuilder().setName("two").setVersionLabel("stable")).build())
                        .getModelVersionStatus(0);
                assertThat(status.getVersion()).isEqualTo(123);
                assertThat(status.getState()).isEqualTo(ModelVersionStatus.State.AVAILABLE);
                assertThatThrownBy(() -> models.getModelStatus(GetModelStatusRequest.newBuilder()
                        .setModelSpec(ModelSpec.newBuilder().setName(HalfPlusTwoOverGrpc.MODEL)).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                                .isEqualTo(Status.Code.NOT_FOUND));

                assertThatThrownBy(() -> models.handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
                        .setConfig(ModelServerConfig.newBuilder().setModelConfigList(ModelConfigList.newBuilder()
                                .addConfig(two.toBuilder().setModelPlatform("pytorch")))).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                            assertThat(e.getStatus().getDescription()).contains("model_platform 'pytorch'");
                        });
                assertThat(models.getModelStatus(GetModelStatusRequest.newBuilder()
                        .setModelSpec(ModelSpec.newBuilder().setName("two")).build()).getModelVersionStatusCount())
                        .as("a refused config changes nothing").isEqualTo(1);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
