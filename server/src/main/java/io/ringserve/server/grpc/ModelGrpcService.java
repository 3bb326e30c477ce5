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
import java.util.Objects;

/** {@code tensorflow.serving.ModelService/GetModelStatus}. Thread-safe; never blocks. */
public final class ModelGrpcService extends ModelServiceGrpc.ModelServiceImplBase {
    private final ModelResolver resolver;

    public ModelGrpcService(final ModelResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
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
                                .setErrorCode(status.error().isPresent() ? Code.UNKNOWN : Code.OK)
                                .setErrorMessage(status.error().orElse(""))));
            }
            observer.onNext(response.build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }
}
