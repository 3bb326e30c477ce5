package io.ringserve.loadtest;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;

/**
 * gRPC channels as the load generators open them: plaintext, callbacks on the transport's threads (they only record
 * and send the next call), no retries (a load generator counts failures, it does not hide them, and the retry
 * machinery costs CPU per call that the server under test would otherwise get), and room for large answers.
 */
final class LoadChannels {
    private LoadChannels() {
    }

    static ManagedChannel open(final String host, final int port) {
        return NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .directExecutor()
                .disableRetry()
                .maxInboundMessageSize(64 << 20)
                .build();
    }
}
