package io.ringserve.server.grpc;

import io.grpc.stub.StreamObserver;
import io.ringserve.models.VersionStatus;
import io.ringserve.proto.serving.GetModelStatusRequest;
import io.ringserve.proto.serving.GetModelStatusResponse;
import io.ringserve.proto.serving.ModelServiceGrpc;
import io.ringserve.proto.serving.ModelVersionStatus;
import io.ringserve.proto.serving.StatusProto;
import io.ringserve.proto.tensorflow.error.Code;
import io.ringserve.server.inference.ModelResolver;
import com.google.protobuf.TextFormat;
import io.ringserve.proto.serving.ReloadConfigRequest;
import io.ringserve.proto.serving.ReloadConfigResponse;
import io.ringserve.server.config.ModelServerConfigFile;
import io.ringserve.server.config.TextFormatException;
import io.ringserve.server.inference.ServingException;
import java.util.List;
import java.util.Objects;

/**
 * {@code tensorflow.serving.ModelService}: GetModelStatus, and HandleReloadConfigRequest (the request's
 * {@code ModelServerConfig} replaces the models served, with the same rules and messages as {@code
 * --model_config_file}; answered once the new models are loaded and the dropped ones retired). Thread-safe; never
 * blocks.
 */
public final class ModelGrpcService extends ModelServiceGrpc.ModelServiceImplBase {
    private final ModelResolver resolver;
    private final ConfigReload configReload;

    public ModelGrpcService(final ModelResolver resolver, final ConfigReload configReload) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.configReload = Objects.requireNonNull(configReload, "configReload");
    }

    @Override
    public void handleReloadConfigRequest(final ReloadConfigRequest request,
                                          final StreamObserver<ReloadConfigResponse> observer) {
        final List<ModelServerConfigFile.Model> models;
        try {
            // The text-format reader holds the rules; the proto's text form is the file's syntax.
            final var configured = ModelServerConfigFile.parse(TextFormat.printer().printToString(request.getConfig()));
            if (configured.isEmpty()) { // no config set: TF Serving takes no action
                observer.onNext(ReloadConfigResponse.newBuilder()
                        .setStatus(StatusProto.newBuilder().setErrorCode(Code.OK)).build());
                observer.onCompleted();
                return;
            }
            models = configured.get();
        } catch (TextFormatException e) {
            observer.onError(GrpcStatuses.toStatus(ServingException.invalidArgument(
                    "Invalid model server config: " + e.getMessage())));
            return;
        }
        configReload.reload(models).whenComplete((done, failure) -> {
            if (failure != null) {
                observer.onError(GrpcStatuses.toStatus(failure));
                return;
            }
            observer.onNext(ReloadConfigResponse.newBuilder()
                    .setStatus(StatusProto.newBuilder().setErrorCode(Code.OK)).build());
            observer.onCompleted();
        });
    }

    @Override
    public void getModelStatus(final GetModelStatusRequest request,
                               final StreamObserver<GetModelStatusResponse> observer) {
        try {
            final GetModelStatusResponse.Builder response = GetModelStatusResponse.newBuilder();
            for (VersionStatus status : resolver.statuses(ModelSpecs.selector(request.hasModelSpec(),
                    request.getModelSpec()))) {
                response.addModelVersionStatus(ModelVersionStatus.newBuilder()
                        .setVersion(status.version())
                        .setState(ModelVersionStatus.State.valueOf(status.state().name()))
                        .setStatus(StatusProto.newBuilder()
                                .setErrorCode(codeOf(status))
                                .setErrorMessage(status.error().orElse(""))));
            }
            observer.onNext(response.build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    /** The version's failure as TensorFlow's error code; UNKNOWN for a name the enum does not have. */
    private static Code codeOf(final VersionStatus status) {
        try {
            return Code.valueOf(status.errorCode());
        } catch (IllegalArgumentException unknownName) {
            return Code.UNKNOWN;
        }
    }
}
