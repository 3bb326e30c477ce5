package io.ringserve.loadtest;

import com.google.protobuf.ByteString;
import io.ringserve.models.SignatureSpec;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;

/**
 * gRPC Predict with {@code tensor_content} (one 784-float row per call, {@code concurrency} calls in flight) against
 * a running server with batching on, next to the in-process {@code Session.run} ceiling of the same model at batch
 * 64, in one run.
 *
 * <pre>
 * GrpcBench --target=127.0.0.1:18513 --model=mlp --model_dir=demo-models/mlp [--concurrency=64]
 *           [--duration_s=15] [--warmup_s=20]
 * </pre>
 */
public final class GrpcBench {
    private GrpcBench() {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> flags = BatchingBench.parse(args);
        final String model = flags.getOrDefault("model", "mlp");
        final int concurrency = Integer.parseInt(flags.getOrDefault("concurrency", "64"));
        final Duration duration = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("duration_s", "15")));
        final Duration warmup = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("warmup_s", "20")));
        final String[] target = BatchingBench.required(flags, "target").split(":");

        final LoadResult ceiling = SessionRunCeiling.measure(Path.of(BatchingBench.required(flags, "model_dir")),
                SignatureSpec.DEFAULT_KEY, List.of(64), warmup, duration).get(0);
        final LoadResult grpc;
        try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient(target[0], Integer.parseInt(target[1]),
                request(model))) {
            grpc = client.run("gRPC Predict, tensor_content, " + concurrency + " calls in flight", concurrency,
                    warmup, duration, 1);
        }
        System.out.println();
        System.out.println("| " + model + ", one 784-float row per call | samples/s | p50 µs | p99 µs |");
        System.out.println("|---|---:|---:|---:|");
        for (LoadResult r : new LoadResult[] {ceiling, grpc}) {
            System.out.printf(Locale.ROOT, "| %s | %.0f | %d | %d |%n", r.label(), r.samplesPerSecond(),
                    r.percentileMicros(50), r.percentileMicros(99));
        }
        System.out.printf(Locale.ROOT, "%ngRPC with batching / in-process Session.run at batch 64: %.0f%% "
                + "(target >= 70%%); errors %d%n", 100 * grpc.samplesPerSecond() / ceiling.samplesPerSecond(),
                grpc.errors());
    }

    private static PredictRequest request(final String model) {
        final Random random = new Random(42);
        final ByteBuffer raw = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 784; i++) {
            raw.putFloat(random.nextFloat());
        }
        return PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName(model))
                .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(784)))
                        .setTensorContent(ByteString.copyFrom(raw.array())).build())
                .build();
    }
}
