package io.ringserve.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.util.concurrent.CompletionException;

/**
 * Failures as gRPC statuses: TensorFlow's codes pass through unchanged (the numbering is gRPC's), and messages
 * longer than 1024 characters are cut and marked {@code ...TRUNCATED}, as TF Serving does. Stateless.
 */
final class GrpcStatuses {
    private static final int MAX_MESSAGE = 1024;

    private GrpcStatuses() {
    }

    static StatusRuntimeException toStatus(final Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException status) {
            return status;
        }
        final ServingException serving = cause instanceof ServingException e ? e
                : new ServingException(StatusCode.INTERNAL, "Internal error: " + cause, cause);
        String message = serving.getMessage();
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "...TRUNCATED";
        }
        return Status.fromCodeValue(serving.code().number()).withDescription(message).asRuntimeException();
    }
}
