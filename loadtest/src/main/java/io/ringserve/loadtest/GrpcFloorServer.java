package io.ringserve.loadtest;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * grpc-java's floor for the gRPC benchmark: a bare {@code PredictionService/Predict} on grpc-netty, configured as
 * ringserve's (one event loop, {@code directExecutor}, epoll), with none of ringserve's work: it checks that the
 * request holds one 784-float row and answers a fixed 10-float {@code PredictResponse}. With {@code --row_micros} > 0
 * it stands in for a batching model server: one batch thread takes up to {@code --max_batch} waiting calls, streams
 * over a 7.4 MB array (the demo {@code mlp}'s weights) for that many microseconds per call (the compute, and what it
 * does to the caches the event loop shares), and hands the batch's answers to their event loop in one task, as
 * ringserve's {@code AnswerHandoff} does. Set beside ringserve under the same load on the same core, it tells what
 * the transport itself costs per call in that regime ({@link FloorBench}).
 *
 * <pre>
 * GrpcFloorServer --port=18713 [--row_micros=0] [--max_batch=64] [--weights_bytes=7454760]
 * </pre>
 *
 * <p>{@code --weights_bytes=0} spins without touching memory: the batch thread's time without its cache traffic.
 *
 * <p>Thread names: {@code floor-loop} (the event loop), {@code floor-batch}. Runs until killed.
 */
public final class GrpcFloorServer {
    /** The demo mlp's weights and biases: 784 x 1024 + 1024 x 1024 + 1024 x 10 + 1024 + 1024 + 10 floats. */
    private static final int WEIGHT_BYTES = 1_863_690 * 4;
    private static final int ROW_BYTES = 784 * 4;

    private GrpcFloorServer() {
    }

    /** A call waiting for the batch thread, and the event loop its answer goes out on. */
    private record Waiting(StreamObserver<PredictResponse> observer, EventExecutor loop) {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> flags = BatchingBench.parse(args);
        final int port = Integer.parseInt(BatchingBench.required(flags, "port"));
        final long rowMicros = Long.parseLong(flags.getOrDefault("row_micros", "0"));
        final int maxBatch = Integer.parseInt(flags.getOrDefault("max_batch", "64"));
        final int weightFloats = Integer.parseInt(flags.getOrDefault("weights_bytes",
                Integer.toString(WEIGHT_BYTES))) / 4;
        final PredictResponse answer = answer();
        final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
        if (rowMicros > 0) {
            final Thread batch = new Thread(() -> runBatches(queue, answer, rowMicros, maxBatch,
                    weightFloats), "floor-batch");
            batch.setDaemon(true);
            batch.start();
        }
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("floor-loop"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final Server server = NettyServerBuilder.forPort(port)
                .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .bossEventLoopGroup(loop).workerEventLoopGroup(loop).directExecutor()
                .addService(new PredictionServiceGrpc.PredictionServiceImplBase() {
                    @Override
                    public void predict(final PredictRequest request,
                                        final StreamObserver<PredictResponse> observer) {
                        final TensorProto x = request.getInputsMap().get("x");
                        if (x == null || x.getTensorContent().size() != ROW_BYTES) {
                            observer.onError(io.grpc.Status.INVALID_ARGUMENT
                                    .withDescription("expected input x of one 784-float row").asRuntimeException());
                        } else if (rowMicros == 0) {
                            observer.onNext(answer);
                            observer.onCompleted();
                        } else {
                            queue.add(new Waiting(observer, ThreadExecutorMap.currentExecutor()));
                        }
                    }
                }).build().start();
        System.err.printf("grpc floor on port %d, %d us per row%n", server.getPort(), rowMicros);
        server.awaitTermination();
    }

    private static PredictResponse answer() {
        final TensorProto.Builder y = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(1))
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(10)));
        for (int i = 0; i < 10; i++) {
            y.addFloatVal(i / 10f);
        }
        return PredictResponse.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("mlp").setSignatureName("serving_default")
                        .setVersion(com.google.protobuf.Int64Value.of(1)))
                .putOutputs("y", y.build()).build();
    }

    /** The stand-in batch thread: takes what waits (up to {@code maxBatch}), works, answers per event loop. */
    private static void runBatches(final LinkedBlockingQueue<Waiting> queue, final PredictResponse answer,
                                   final long rowMicros, final int maxBatch, final int weightFloats) {
        final float[] weights = new float[Math.max(1, weightFloats)];
        final int stride = weightFloats == 0 ? 0 : 16;
        final List<Waiting> batch = new ArrayList<>(maxBatch);
        int position = 0;
        double sum = 0;
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            final long until = System.nanoTime() + rowMicros * 1000 * batch.size();
            while (System.nanoTime() < until) {
                for (int k = 0; k < 4096; k++) { // a cache line apart: streams through the array
                    sum += weights[position];
                    position = (position + stride) % weights.length;
                }
            }
            final Map<EventExecutor, List<Waiting>> byLoop = new LinkedHashMap<>();
            for (Waiting waiting : batch) {
                byLoop.computeIfAbsent(waiting.loop(), loop -> new ArrayList<>()).add(waiting);
            }
            byLoop.forEach((loop, answers) -> loop.execute(() -> answers.forEach(waiting -> {
                waiting.observer().onNext(answer);
                waiting.observer().onCompleted();
            })));
            batch.clear();
            if (sum < 0) { // never: keeps the reads from being optimised away
                System.err.println(sum);
            }
        }
    }
}
