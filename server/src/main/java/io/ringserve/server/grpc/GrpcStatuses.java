package io.ringserve.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.inference.ServingException;

/**
 * Failures as gRPC statuses: TensorFlow's codes pass through unchanged (the numbering is gRPC's), and messages
 * longer than 1024 characters are cut and marked {@code ...TRUNCATED}, as TF Serving does. Stateless.
 */
final class GrpcStatuses {
    private static final int MAX_MESSAGE = 1024;

    private GrpcStatuses() {
    }

    static StatusRuntimeException toStatus(final Throwable failure) {
        if (ServingException.unwrap(failure) instanceof StatusRuntimeException status) {
            return status;
        }
        final ServingException serving = ServingException.of(failure);
        String message = serving.getMessage();
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "...TRUNCATED";
        }
        return Status.fromCodeValue(serving.code().number()).withDescription(message).asRuntimeException();
    }
}
