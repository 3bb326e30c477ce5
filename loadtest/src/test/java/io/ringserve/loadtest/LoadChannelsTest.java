package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.DecompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.server.grpc.DeflateCodec;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class LoadChannelsTest {
    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:", "localhost:http", "localhost:70000", ":8500"})
    void shouldNameATargetThatIsNeitherHostPortNorASocket(final String target) {
        assertThatThrownBy(() -> LoadChannels.open(target))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(target).hasMessageContaining("host:port or unix:PATH");
    }

    /** Calls asking for gzip or deflate go out with that grpc-encoding, and the server reads them. */
    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate"})
    void shouldCompressTheCallsThatAskForIt(final String encoding) throws Exception {
        final java.util.concurrent.ConcurrentLinkedQueue<String> encodings =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        final ServerInterceptor recordEncoding = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
                                                               final ServerCallHandler<Q, R> next) {
                encodings.add(String.valueOf(headers.get(
                        Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER))));
                return next.startCall(call, headers);
            }
        };
        final Server server = NettyServerBuilder.forPort(0)
                .decompressorRegistry(DecompressorRegistry.getDefaultInstance().with(new DeflateCodec(), true))
                .addService(ServerInterceptors.intercept(new EchoModelName(), recordEncoding)).build().start();
        final ManagedChannel channel = LoadChannels.open("127.0.0.1:" + server.getPort());
        try {
            final GrpcInferenceCall<?, ?> call = GrpcInferenceCall.predict(PredictRequest.newBuilder()
                    .setModelSpec(ModelSpec.newBuilder().setName("m".repeat(1000))).build());

            final Object plain = call.send(channel).get(30, TimeUnit.SECONDS);
            final Object compressed = call.compressedWith(encoding).send(channel).get(30, TimeUnit.SECONDS);

            assertThat(((PredictResponse) plain).getModelSpec().getName()).isEqualTo("m".repeat(1000));
            assertThat(((PredictResponse) compressed).getModelSpec().getName()).isEqualTo("m".repeat(1000));
            assertThat(encodings).containsExactly("null", encoding);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Answers a Predict with its model spec. */
    private static final class EchoModelName extends PredictionServiceGrpc.PredictionServiceImplBase {
        @Override
        public void predict(final PredictRequest request, final StreamObserver<PredictResponse> out) {
            out.onNext(PredictResponse.newBuilder().setModelSpec(request.getModelSpec()).build());
            out.onCompleted();
        }
    }

    @Test
    void shouldCallAServerOnAUnixDomainSocket(@TempDir final Path dir) throws Exception {
        assumeTrue(Epoll.isAvailable(), "UNIX domain sockets need Netty's native epoll transport (Linux)");
        final Path socket = dir.resolve("grpc.sock");
        final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        final Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .bossEventLoopGroup(loops).workerEventLoopGroup(loops)
                .channelType(EpollServerDomainSocketChannel.class)
                .addService(new EchoModelName()).build().start();
        final ManagedChannel channel = LoadChannels.open("unix:" + socket);
        try {
            final PredictResponse answer = PredictionServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("m")).build());
            assertThat(answer.getModelSpec().getName()).isEqualTo("m");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
