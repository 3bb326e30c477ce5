package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TestData;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.inference.DirectModelRunner;
import io.ringserve.server.inference.ExampleCounts;
import io.ringserve.server.inference.InferenceExecutor;
import io.ringserve.server.inference.ModelRepositoryApi;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.RuntimeLatency;
import io.ringserve.server.inference.SignatureMethodCheck;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LargeMessageOffload} on a real gRPC port, TF Serving's half_plus_two behind the real PredictionService: which
 * thread handles a call, what it sees (deadline, parsed messages), and what a bad or cancelled large call does.
 */
class LargeMessageOffloadTest {
    /** Messages from 1 KiB on are offloaded; a 1000-float Predict is about 4 KiB. */
    private static final int OFFLOAD_BYTES = 1024;
    private static final int LARGE_ROWS = 1000;
    private static final long TIMEOUT_S = 30;

    private static ModelRegistry registry;
    private static DirectModelRunner models;

    private final RecordingRunner runner = new RecordingRunner();
    private final ConcurrentLinkedQueue<String> parsedMessages = new ConcurrentLinkedQueue<>();
    private EventLoopGroup loops;
    private EventExecutorGroup workers;
    private LargeMessageOffload offload;
    private GrpcServer server;
    private ManagedChannel channel;

    @BeforeAll
    static void loadModel() {
        registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        registry.add("half_plus_two", TestData.tfServing("saved_model_half_plus_two_cpu"));
        registry.loadAll();
        models = new DirectModelRunner(new InferenceExecutor(2, 64, System::nanoTime), (m, n) -> { });
    }

    @AfterAll
    static void closeModel() throws InterruptedException {
        models.shutdown(Duration.ofSeconds(5));
        registry.close();
    }

    @BeforeEach
    void start() {
        loops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-loop"), NioIoHandler.newFactory());
        workers = new DefaultEventExecutorGroup(1, new DefaultThreadFactory("test-offload"));
    }

    /** Starts the server with at most {@code maxWaitingBytes} of messages waiting for the worker. */
    private void startServer(final long maxWaitingBytes) {
        startServer(maxWaitingBytes, GrpcServer.DEFAULT_MAX_INBOUND_MESSAGE_BYTES, OFFLOAD_BYTES);
    }

    /**
     * Starts the server taking messages of up to {@code maxMessageBytes}, offloading them from {@code offloadBytes}.
     */
    private void startServer(final long maxWaitingBytes, final int maxMessageBytes, final int offloadBytes) {
        final ServerInterceptor recordParsed = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
                                                               final ServerCallHandler<Q, R> next) {
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                        next.startCall(call, headers)) {
                    @Override
                    public void onMessage(final Q message) {
                        parsedMessages.add(message.getClass().getSimpleName());
                        super.onMessage(message);
                    }
                };
            }
        };
        offload = new LargeMessageOffload(workers, offloadBytes, maxWaitingBytes);
        final NettyServerBuilder builder = NettyServerBuilder.forPort(0).channelType(NioServerSocketChannel.class)
                .bossEventLoopGroup(loops).workerEventLoopGroup(loops).directExecutor();
        server = new GrpcServer(List.of(builder), new ModelResolver(registry), runner, () -> Runnable::run,
                PredictOutputEncoding.TYPED_VALUES, SignatureMethodCheck.OFF, ConfigReload.UNSUPPORTED,
                RuntimeLatency.NONE, ExampleCounts.NONE, ModelRepositoryApi.DISABLED,
                maxMessageBytes, List.of(recordParsed), offload).start();
        server.setServing(true);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    /** A stub whose deadline starts now: a stub's deadline is fixed when it is made. */
    private PredictionServiceGrpc.PredictionServiceBlockingStub predictions() {
        return PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        runner.release();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.awaitTermination(Duration.ofSeconds(TIMEOUT_S));
        }
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static PredictRequest predict(final int rows) {
        final ByteBuffer raw = ByteBuffer.allocate(4 * rows).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows; i++) {
            raw.putFloat(i);
        }
        return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("half_plus_two"))
                .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(rows))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .setTensorContent(ByteString.copyFrom(raw.array())).build())
                .build();
    }

    private static void assertAnswers(final PredictResponse response, final int rows) {
        final List<Float> y = response.getOutputsOrThrow("y").getFloatValList();
        assertThat(y).hasSize(rows);
        for (int i = 0; i < rows; i++) {
            assertThat(y.get(i)).isEqualTo(i / 2f + 2f);
        }
    }

    @Test
    void shouldHandleALargeMessageOnAWorkerWithTheCallsDeadline() {
        startServer(1 << 20);
        assertThat(predict(LARGE_ROWS).getSerializedSize()).isGreaterThanOrEqualTo(OFFLOAD_BYTES);
        final long before = System.nanoTime();

        assertAnswers(predictions().predict(predict(LARGE_ROWS)), LARGE_ROWS);

        assertThat(runner.threads).containsExactly("test-offload");
        // The client's 30 s, as it sent them once connected (not the year a call without a deadline gets).
        assertThat(runner.deadlines).singleElement().satisfies(deadline ->
                assertThat(deadline - before).isBetween(0L, TimeUnit.SECONDS.toNanos(TIMEOUT_S + 1)));
        assertThat(parsedMessages).containsExactly("PredictRequest");
    }

    @Test
    void anErrorOnTheWorkerShouldCloseTheCallNotLeaveItWaiting() {
        startServer(1 << 20);
        runner.error = new OutOfMemoryError("Java heap space (a test's)");

        assertThatThrownBy(() -> predictions().predict(predict(LARGE_ROWS)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).contains("OutOfMemoryError");
                });
        runner.error = null;
        assertAnswers(predictions().predict(predict(LARGE_ROWS)), LARGE_ROWS);
    }

    @Test
    void shouldHandleASmallMessageOnTheEventLoop() {
        startServer(1 << 20);
        assertThat(predict(3).getSerializedSize()).isLessThan(OFFLOAD_BYTES);

        assertAnswers(predictions().predict(predict(3)), 3);

        assertThat(runner.threads).containsExactly("test-loop");
        assertThat(parsedMessages).containsExactly("PredictRequest");
    }

    @Test
    void shouldHandleALargeMessageOnTheEventLoopWhileTheWorkersHaveTheirFill() throws Exception {
        final int size = predict(LARGE_ROWS).getSerializedSize();
        startServer(size + size / 2); // room for one message waiting, not two
        final CountDownLatch workerBusy = new CountDownLatch(1);
        final CountDownLatch freeWorker = new CountDownLatch(1);
        workers.execute(() -> {
            workerBusy.countDown();
            await(freeWorker);
        });
        workerBusy.await(TIMEOUT_S, TimeUnit.SECONDS);
        final var stub = PredictionServiceGrpc.newFutureStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS);

        final var waiting = stub.predict(predict(LARGE_ROWS)); // waits for the worker
        awaitWaitingBytes(size);
        assertThat(runner.threads).isEmpty();
        assertAnswers(predictions().predict(predict(LARGE_ROWS)), LARGE_ROWS); // no room: on the event loop
        freeWorker.countDown();
        assertAnswers(waiting.get(TIMEOUT_S, TimeUnit.SECONDS), LARGE_ROWS);

        assertThat(runner.threads).containsExactly("test-loop", "test-offload");
    }

    /** Both sizes: a message the worker cannot parse gets what one the event loop cannot parse gets. */
    @ParameterizedTest
    @ValueSource(ints = {16, 4 * OFFLOAD_BYTES})
    void shouldCloseACallThatCannotBeParsedAndServeTheNext(final int bytes) {
        startServer(1 << 20);
        final byte[] garbage = new byte[bytes];
        Arrays.fill(garbage, (byte) 0xff); // a tag whose varint never ends

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, RawGrpcMethods.predict(),
                CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS), garbage))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).isEqualTo(
                            "Invalid protobuf byte sequence: CodedInputStream encountered a malformed varint.");
                });
        assertAnswers(predictions().predict(predict(LARGE_ROWS)), LARGE_ROWS);
        assertThat(runner.threads).containsExactly("test-offload");
        assertThat(parsedMessages).containsExactly("PredictRequest");
    }

    /** A channel that compresses with gzip (grpc-java's) or deflate (the server's codec) when a call asks. */
    private ManagedChannel compressingChannel() {
        final CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
        compressors.register(new Codec.Gzip());
        compressors.register(new DeflateCodec());
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .compressorRegistry(compressors).build();
    }

    /**
     * From a sixteenth of the offload size compressed (offloading from 4 KiB here: compressed messages from 256 bytes)
     * on a worker, smaller ones where they arrive.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate"})
    void shouldInflateALargeCompressedMessageOnAWorkerAndASmallOneOnTheEventLoop(final String encoding)
            throws Exception {
        final int offloadBytes = 4 << 10;
        final int compressedOffloadBytes = offloadBytes / LargeMessageOffload.COMPRESSED_EXPANSION;
        assertThat(compressed(encoding, predict(LARGE_ROWS).toByteArray()).length)
                .isGreaterThanOrEqualTo(compressedOffloadBytes);
        assertThat(compressed(encoding, predict(3).toByteArray()).length).isLessThan(compressedOffloadBytes);
        startServer(1 << 20, GrpcServer.DEFAULT_MAX_INBOUND_MESSAGE_BYTES, offloadBytes);
        final ManagedChannel compressing = compressingChannel();
        try {
            final var stub = PredictionServiceGrpc.newBlockingStub(compressing)
                    .withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).withCompression(encoding);

            assertAnswers(stub.predict(predict(LARGE_ROWS)), LARGE_ROWS);
            assertAnswers(stub.predict(predict(3)), 3);
        } finally {
            compressing.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
        }

        assertThat(runner.threads).containsExactly("test-offload", "test-loop");
        assertThat(parsedMessages).containsExactly("PredictRequest", "PredictRequest");
        assertThat(offload.waitingBytes()).isZero();
    }

    /**
     * A small compressed message that inflates past the server's limit gets RESOURCE_EXHAUSTED in grpc-java's words,
     * whether it waited for the worker (counted as the offload size at least) or was inflated on the event loop
     * (offloading from 1 GiB: compressed messages from 64 MiB), and the server goes on. (grpc-java alone, without this
     * interceptor, answers UNKNOWN "Application error processing RPC".)
     */
    @ParameterizedTest
    @ValueSource(ints = {OFFLOAD_BYTES, 1 << 30})
    void shouldRefuseACompressedMessageThatInflatesPastTheLimit(final int offloadBytes) throws Exception {
        final int maxMessageBytes = 64 << 10;
        startServer(1 << 20, maxMessageBytes, offloadBytes);
        final PredictRequest zeros = PredictRequest.newBuilder(predict(1)).putInputs("x", TensorProto.newBuilder()
                .setDtype(DataType.DT_FLOAT).setTensorShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(100_000))
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                .setTensorContent(ByteString.copyFrom(new byte[400_000])).build()).build();
        final BlockedWorker blocked = BlockedWorker.of(workers);
        final ManagedChannel compressing = compressingChannel();
        try {
            final var refused = PredictionServiceGrpc.newFutureStub(compressing)
                    .withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).withCompression("gzip").predict(zeros);
            if (offloadBytes == OFFLOAD_BYTES) {
                awaitWaitingBytes(OFFLOAD_BYTES); // a few hundred bytes compressed, counted as the offload size
                blocked.release();
            }

            assertThatThrownBy(() -> refused.get(TIMEOUT_S, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo("Decompressed gRPC message exceeds maximum size " + maxMessageBytes);
                    });
            blocked.release();
            assertAnswers(PredictionServiceGrpc.newBlockingStub(compressing).withCompression("gzip")
                    .withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).predict(predict(LARGE_ROWS)), LARGE_ROWS);
        } finally {
            blocked.release();
            compressing.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertThat(runner.threads).containsExactly(offloadBytes == OFFLOAD_BYTES ? "test-offload" : "test-loop");
        assertThat(offload.waitingBytes()).isZero();
    }

    @Test
    void shouldInflateACompressedMessageOnTheEventLoopWhileTheWorkersHaveTheirFill() throws Exception {
        // A compressed large message (about 1.3 KB) counts as itself, and room is left for one of them, not two.
        startServer(OFFLOAD_BYTES + OFFLOAD_BYTES / 2);
        final BlockedWorker blocked = BlockedWorker.of(workers);
        final ManagedChannel compressing = compressingChannel();
        try {
            final var stub = PredictionServiceGrpc.newFutureStub(compressing)
                    .withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).withCompression("gzip");
            final var waiting = stub.predict(predict(LARGE_ROWS)); // waits for the worker
            awaitSomethingWaiting();

            assertAnswers(stub.predict(predict(LARGE_ROWS)).get(TIMEOUT_S, TimeUnit.SECONDS), LARGE_ROWS);
            assertThat(runner.threads).as("no room: on the event loop").containsExactly("test-loop");
            blocked.release();
            assertAnswers(waiting.get(TIMEOUT_S, TimeUnit.SECONDS), LARGE_ROWS);
        } finally {
            blocked.release();
            compressing.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertThat(runner.threads).containsExactly("test-loop", "test-offload");
        assertThat(offload.waitingBytes()).isZero();
    }

    @Test
    void shouldRefuseACompressedCallWhenTheWorkersHaveShutDown() throws Exception {
        startServer(1 << 20);
        workers.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        final ManagedChannel compressing = compressingChannel();
        try {
            assertThatThrownBy(() -> PredictionServiceGrpc.newBlockingStub(compressing).withCompression("gzip")
                    .withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).predict(predict(LARGE_ROWS)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).isEqualTo("The server is shutting down");
                    });
        } finally {
            compressing.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertThat(offload.waitingBytes()).isZero();
        assertAnswers(predictions().predict(predict(3)), 3);
    }

    /** The one worker, kept busy by a task of the test's until released. */
    private static final class BlockedWorker {
        private final CountDownLatch free = new CountDownLatch(1);

        static BlockedWorker of(final EventExecutorGroup workers) throws InterruptedException {
            final BlockedWorker blocked = new BlockedWorker();
            final CountDownLatch busy = new CountDownLatch(1);
            workers.execute(() -> {
                busy.countDown();
                await(blocked.free);
            });
            assertThat(busy.await(TIMEOUT_S, TimeUnit.SECONDS)).as("the worker took the blocking task").isTrue();
            return blocked;
        }

        void release() {
            free.countDown();
        }
    }

    /**
     * Both sizes (compressed messages go to the worker from a sixteenth of the offload size: the small one stays on
     * the event loop, the large one does not): bytes that say they are gzip and are not get a status that says so,
     * and the server goes on.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, LARGE_ROWS})
    void shouldCloseACallWhoseCompressionIsBrokenNamingIt(final int rows) throws Exception {
        final byte[] notGzip = predict(rows).toByteArray();
        final boolean onWorker = notGzip.length >= OFFLOAD_BYTES / LargeMessageOffload.COMPRESSED_EXPANSION;
        assertThat(onWorker).as("%d bytes", notGzip.length).isEqualTo(rows == LARGE_ROWS);
        startServer(1 << 20);
        final BlockedWorker blocked = BlockedWorker.of(workers);
        final ManagedChannel lying = passThroughGzipChannel();
        try {
            final var refused = ClientCalls.futureUnaryCall(lying.newCall(RawGrpcMethods.predict(),
                    CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).withCompression("gzip")),
                    notGzip);
            if (onWorker) {
                awaitSomethingWaiting();
                blocked.release();
            }
            assertThatThrownBy(() -> refused.get(TIMEOUT_S, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                        assertThat(e.getStatus().getDescription()).isEqualTo("Invalid protobuf byte sequence: "
                                + "the message is not what its grpc-encoding says (Not in GZIP format)");
                    });
        } finally {
            blocked.release();
            lying.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertAnswers(predictions().predict(predict(rows)), rows);
        assertThat(offload.waitingBytes()).isZero();
    }

    /**
     * 300 seeded Predict messages, valid ones with bytes flipped, cut or padded, on both sides of the offload size:
     * each call ends with a status (OK, or one that names the problem: never UNKNOWN), and the server goes on.
     */
    @Test
    void shouldAnswerEveryMangledMessageWithAStatusAndGoOn() {
        startServer(1 << 20);
        final java.util.Random random = new java.util.Random(20261130);
        int answered = 0;
        final Map<Status.Code, Integer> refused = new java.util.EnumMap<>(Status.Code.class);
        for (int i = 0; i < 300; i++) {
            final byte[] sent = mangled(predict(random.nextBoolean() ? 3 : LARGE_ROWS).toByteArray(), random);
            final int sentBytes = sent.length;
            try {
                ClientCalls.blockingUnaryCall(channel, RawGrpcMethods.predict(),
                        CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS), sent);
                answered++;
            } catch (StatusRuntimeException e) {
                refused.merge(e.getStatus().getCode(), 1, Integer::sum);
                assertThat(e.getStatus().getCode()).as("case %d, %d bytes: %s", i, sentBytes, e.getStatus())
                        .isNotIn(Status.Code.UNKNOWN, Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED);
                assertThat(e.getStatus().getDescription()).as("case %d", i).isNotBlank();
            }
        }
        assertThat(answered).as("mangled but still valid, answered").isGreaterThan(10);
        assertThat(refused).as("refused, by status").containsKeys(Status.Code.INTERNAL, Status.Code.INVALID_ARGUMENT);
        assertAnswers(predictions().predict(predict(LARGE_ROWS)), LARGE_ROWS);
        assertThat(offload.waitingBytes()).isZero();
    }

    /**
     * 200 seeded gzip-compressed Predict messages, their compressed bytes flipped, cut or padded, small and large:
     * each call ends with a status that names the problem or an answer, nothing waits for the worker after, and
     * the server goes on.
     */
    @Test
    void shouldAnswerEveryMangledCompressedMessageWithAStatusAndGoOn() throws Exception {
        startServer(1 << 20);
        final java.util.Random random = new java.util.Random(20261201);
        final ManagedChannel precompressed = passThroughGzipChannel();
        int answered = 0;
        final Map<Status.Code, Integer> refused = new java.util.EnumMap<>(Status.Code.class);
        try {
            for (int i = 0; i < 200; i++) {
                final byte[] sent = mangled(gzip(predict(random.nextBoolean() ? 3 : LARGE_ROWS).toByteArray()),
                        random);
                try {
                    ClientCalls.blockingUnaryCall(precompressed.newCall(RawGrpcMethods.predict(),
                            CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS)
                                    .withCompression("gzip")), sent);
                    answered++;
                } catch (StatusRuntimeException e) {
                    refused.merge(e.getStatus().getCode(), 1, Integer::sum);
                    assertThat(e.getStatus().getCode()).as("case %d, %d bytes: %s", i, sent.length, e.getStatus())
                            .isNotIn(Status.Code.UNKNOWN, Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED);
                    assertThat(e.getStatus().getDescription()).as("case %d", i).isNotBlank();
                }
            }
        } finally {
            precompressed.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertThat(answered).as("padded past the gzip trailer, still valid, answered").isGreaterThan(10);
        assertThat(refused).as("refused, by status").containsKey(Status.Code.INTERNAL);
        assertAnswers(predictions().predict(predict(LARGE_ROWS)), LARGE_ROWS);
        assertThat(offload.waitingBytes()).isZero();
    }

    /** {@code message} with 1-3 bits flipped, cut short, or with 1-64 random bytes after it, as {@code random} picks. */
    private static byte[] mangled(final byte[] message, final java.util.Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> {
                final byte[] flipped = message.clone();
                for (int f = 0; f < 1 + random.nextInt(3); f++) {
                    flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield flipped;
            }
            case 1 -> Arrays.copyOf(message, random.nextInt(message.length));
            default -> {
                final byte[] padded = Arrays.copyOf(message, message.length + 1 + random.nextInt(64));
                for (int p = message.length; p < padded.length; p++) {
                    padded[p] = (byte) random.nextInt(256);
                }
                yield padded;
            }
        };
    }

    /** {@code bytes} as a client compressing with {@code encoding} sends them. */
    private static byte[] compressed(final String encoding, final byte[] bytes) throws java.io.IOException {
        if (encoding.equals("gzip")) {
            return gzip(bytes);
        }
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (OutputStream deflate = new DeflateCodec().compress(out)) {
            deflate.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(final byte[] bytes) throws java.io.IOException {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (OutputStream gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    /**
     * A channel whose {@code gzip} sends the bytes it is given as they are, marked compressed: for bytes that are
     * already gzip, or say they are and are not.
     */
    private ManagedChannel passThroughGzipChannel() {
        final Codec passThrough = new Codec() {
            @Override
            public String getMessageEncoding() {
                return "gzip";
            }

            @Override
            public OutputStream compress(final OutputStream os) {
                return os;
            }

            @Override
            public InputStream decompress(final InputStream is) {
                return is;
            }
        };
        final CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
        compressors.register(passThrough);
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .compressorRegistry(compressors).build();
    }

    /** Compressed or not, a large call the client cancels drops its work, which ran where it was handled. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldDropTheWorkOfACancelledLargeCall(final boolean compressed) throws Exception {
        startServer(1 << 20);
        runner.hold();
        final ManagedChannel through = compressed ? compressingChannel() : channel;
        try {
            final CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS);
            final ClientCall<byte[], byte[]> call = through.newCall(RawGrpcMethods.predict(),
                    compressed ? options.withCompression("gzip") : options);
            final var answer = ClientCalls.futureUnaryCall(call, predict(LARGE_ROWS).toByteArray());
            final CompletableFuture<Map<String, HostTensor>> work = runner.held.get(TIMEOUT_S, TimeUnit.SECONDS);

            call.cancel("the client gives up", null);

            assertThatThrownBy(() -> work.get(TIMEOUT_S, TimeUnit.SECONDS)).hasMessageContaining(
                    "The client cancelled the call");
            assertThatThrownBy(() -> answer.get(TIMEOUT_S, TimeUnit.SECONDS)).hasCauseInstanceOf(
                    StatusRuntimeException.class).hasMessageContaining("CANCELLED");
        } finally {
            if (compressed) {
                through.shutdownNow().awaitTermination(TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
        assertThat(runner.threads).containsExactly("test-offload");
    }

    @Test
    void shouldRefuseALargeCallWhenTheWorkersHaveShutDown() {
        startServer(1 << 20);
        workers.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();

        assertThatThrownBy(() -> predictions().predict(predict(LARGE_ROWS)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).isEqualTo("The server is shutting down");
                });
        assertAnswers(predictions().predict(predict(3)), 3);
    }

    /** Waits until the server has queued a message for the (blocked) worker, and how many bytes it counts as. */
    private long awaitSomethingWaiting() throws InterruptedException {
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (offload.waitingBytes() == 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(offload.waitingBytes()).isPositive();
        return offload.waitingBytes();
    }

    /** Waits until the server has queued {@code bytes} of messages for the (blocked) worker; nothing else tells. */
    private void awaitWaitingBytes(final long bytes) throws InterruptedException {
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (offload.waitingBytes() < bytes && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(offload.waitingBytes()).isEqualTo(bytes);
    }

    private static void await(final CountDownLatch latch) {
        try {
            latch.await(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs calls on half_plus_two, noting the thread each call was scheduled from and its deadline. */
    private static final class RecordingRunner implements ModelRunner {
        final ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> deadlines = new ConcurrentLinkedQueue<>();
        final CompletableFuture<CompletableFuture<Map<String, HostTensor>>> held = new CompletableFuture<>();
        private volatile boolean holding;
        /** Thrown by each run while set. */
        volatile Error error;

        void hold() {
            holding = true;
        }

        void release() {
            held.thenAccept(work -> work.cancel(false));
        }

        @Override
        public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel model, final SignatureSpec signature,
                                                              final Map<String, HostTensor> inputs,
                                                              final List<String> outputs, final long deadlineNanos) {
            threads.add(Thread.currentThread().getName().replaceAll("-[0-9-]+$", ""));
            deadlines.add(deadlineNanos);
            if (error != null) {
                throw error;
            }
            if (holding) {
                final CompletableFuture<Map<String, HostTensor>> work = new CompletableFuture<>();
                held.complete(work);
                return work;
            }
            return models.run(model, signature, inputs, outputs, deadlineNanos);
        }

        @Override
        public boolean shutdown(final Duration drain) {
            return true;
        }
    }
}
