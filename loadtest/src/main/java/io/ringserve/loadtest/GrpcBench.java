package io.ringserve.loadtest;

import com.google.protobuf.ByteString;
import io.ringserve.batching.BatchingOptions;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.SignatureSpec;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.config.BatchingParametersFile;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * gRPC Predict with {@code tensor_content} (one 784-float row per call, {@code concurrency} calls in flight) against
 * a running server with batching on, next to the in-process {@code Session.run} ceilings of the same model at batch
 * 64, all in one run: with TensorFlow's default session options from one thread (the ceiling the target is set
 * against), and in the configuration the benchmark server runs (ops inline, one intra-op thread, one caller per
 * core). With {@code --batching_parameters_file} (the server's) it also measures the same load through the batcher
 * in process, without a transport ({@link InProcessBatcherLoad}), which splits what is lost between batching and
 * the transport. Each is measured {@code rounds} times, alternating, and averaged, so that drift of a shared machine
 * hits all of them.
 *
 * <pre>
 * GrpcBench --target=127.0.0.1:18513|unix:PATH --model=mlp --model_dir=demo-models/mlp [--concurrency=64]
 *           [--duration_s=15] [--warmup_s=30] [--rounds=2] [--channels=2] [--metrics=http://127.0.0.1:18514]
 *           [--batching_parameters_file=PATH]
 * </pre>
 *
 * <p>With {@code --metrics} (the server's REST address) each round also reports the server's mean batch size from
 * its {@code /metrics}, over the round's warm-up and measurement, and measures {@code Session.run} at that batch size
 * (in the server's TF configuration) right after the served load: the ratio to batch 64 is what the batch size alone
 * costs, the rest is the batcher's and the transport's.
 */
public final class GrpcBench {
    private static final int BATCH = 64;

    private GrpcBench() {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> flags = BatchingBench.parse(args);
        final String model = flags.getOrDefault("model", "mlp");
        final int concurrency = Integer.parseInt(flags.getOrDefault("concurrency", "64"));
        final Duration duration = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("duration_s", "15")));
        final Duration warmup = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("warmup_s", "30")));
        final int rounds = Integer.parseInt(flags.getOrDefault("rounds", "2"));
        final int channels = Integer.parseInt(flags.getOrDefault("channels",
                Integer.toString(ClosedLoopGrpcClient.DEFAULT_CHANNELS)));
        final String target = BatchingBench.required(flags, "target");
        final Path modelDir = Path.of(BatchingBench.required(flags, "model_dir"));
        final Optional<URI> metrics = Optional.ofNullable(flags.get("metrics")).map(URI::create);
        final Optional<BatchingOptions> batching = Optional.ofNullable(flags.get("batching_parameters_file"))
                .map(file -> BatchingParametersFile.read(Path.of(file), ClosePolicy.ADAPTIVE));
        final int cores = Runtime.getRuntime().availableProcessors();
        // The server's JIT needs its first long warm-up under load; TensorFlow alone and later rounds need less.
        final Duration shortWarmup = warmup.dividedBy(3);

        final List<LoadResult> defaults = new ArrayList<>();
        final List<LoadResult> inline = new ArrayList<>();
        final List<LoadResult> grpc = new ArrayList<>();
        final List<LoadResult> batcher = new ArrayList<>();
        final List<Double> meanBatchRows = new ArrayList<>();
        final List<LoadResult> servedBatch = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            defaults.add(SessionRunCeiling.measure(modelDir, SignatureSpec.DEFAULT_KEY, List.of(BATCH), shortWarmup,
                    duration).get(0));
            inline.add(SessionRunCeiling.measure(modelDir, SignatureSpec.DEFAULT_KEY, new SessionOptions(1, -1),
                    cores, List.of(BATCH), shortWarmup, duration).get(0));
            if (batching.isPresent()) {
                batcher.add(InProcessBatcherLoad.measure(modelDir, SignatureSpec.DEFAULT_KEY,
                        new SessionOptions(1, -1), batching.get(), concurrency, shortWarmup, duration));
            }
            final Optional<ServerMetricsScrape> before = metrics.flatMap(ServerMetricsScrape::take);
            try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient(target,
                    GrpcInferenceCall.predict(request(model)), channels)) {
                grpc.add(client.run("gRPC Predict, tensor_content, " + concurrency + " calls in flight over "
                        + channels + " connections",
                        concurrency, round == 0 ? warmup : shortWarmup, duration, 1));
            }
            final Optional<Double> batchRows = before.flatMap(b -> metrics.flatMap(ServerMetricsScrape::take)
                    .map(after -> after.meanBatchRowsSince(b)));
            batchRows.ifPresent(meanBatchRows::add);
            // What the batches the server formed cost TensorFlow alone: splits batching's loss into batch size
            // (the per-call cost of streaming the weights, spread over fewer rows) and the batcher's own work.
            final Optional<LoadResult> atServed = batchRows.map(rows -> SessionRunCeiling.measure(modelDir,
                    SignatureSpec.DEFAULT_KEY, new SessionOptions(1, -1), cores,
                    List.of(Math.max(1, (int) Math.round(rows))), shortWarmup, duration).get(0));
            atServed.ifPresent(servedBatch::add);
            System.err.printf(Locale.ROOT, "  round %d: Session.run defaults %.0f, inline x%d %.0f,%s gRPC %.0f "
                    + "samples/s (errors %d)%s%n", round + 1, defaults.get(round).samplesPerSecond(), cores,
                    inline.get(round).samplesPerSecond(), batcher.isEmpty() ? "" : String.format(Locale.ROOT,
                            " batcher in process %.0f,", batcher.get(round).samplesPerSecond()),
                    grpc.get(round).samplesPerSecond(), grpc.get(round).errors(),
                    batchRows.map(rows -> String.format(Locale.ROOT, ", server's mean batch %.1f rows", rows))
                            .orElse(""));
            atServed.ifPresent(result -> System.err.printf(Locale.ROOT, "    Session.run inline at the server's "
                    + "mean batch: %.0f samples/s%n", result.samplesPerSecond()));
        }
        final double ceiling = BenchTable.mean(defaults, LoadResult::samplesPerSecond);
        final double best = BenchTable.mean(inline, LoadResult::samplesPerSecond);
        final double served = BenchTable.mean(grpc, LoadResult::samplesPerSecond);
        System.out.println();
        System.out.println("| " + model + ", one 784-float row per call (mean of " + rounds
                + " rounds) | samples/s | p50 µs | p99 µs |");
        System.out.println("|---|---:|---:|---:|");
        BenchTable.row(System.out, "Session.run, batch 64, TensorFlow's default session options, one thread",
                defaults);
        BenchTable.row(System.out, "Session.run, batch 64, ops inline, one intra-op thread, " + cores
                + (cores == 1 ? " thread" : " threads") + " (the server's TF configuration)", inline);
        if (!servedBatch.isEmpty()) {
            BenchTable.row(System.out, String.format(Locale.ROOT, "Session.run at the server's mean batch (%.0f rows),"
                    + " ops inline, one intra-op thread, %d %s (each round at that round's mean)",
                    meanBatchRows.stream().mapToDouble(Double::doubleValue).average().orElse(0), cores,
                    cores == 1 ? "thread" : "threads"), servedBatch);
        }
        if (!batcher.isEmpty()) {
            BenchTable.row(System.out, batcher.get(0).label() + " (the server's batching and TF configuration)",
                    batcher);
        }
        BenchTable.row(System.out, grpc.get(0).label(), grpc);
        System.out.printf(Locale.ROOT, "%ngRPC with batching / Session.run at batch 64 (TF defaults, one thread): "
                + "%.0f%% (target >= 70%%)%n", 100 * served / ceiling);
        System.out.printf(Locale.ROOT, "gRPC with batching / Session.run at batch 64 in the server's TF "
                + "configuration: %.0f%%%nerrors %d%n", 100 * served / best,
                grpc.stream().mapToLong(LoadResult::errors).sum());
        if (!batcher.isEmpty()) {
            System.out.printf(Locale.ROOT, "batcher in process, no transport / Session.run at batch 64 (TF defaults, "
                    + "one thread): %.0f%%%n", 100 * BenchTable.mean(batcher, LoadResult::samplesPerSecond) / ceiling);
        }
        if (!servedBatch.isEmpty()) {
            final double atServedBatch = BenchTable.mean(servedBatch, LoadResult::samplesPerSecond);
            System.out.printf(Locale.ROOT, "Session.run at the server's mean batch / at batch 64, both in the "
                    + "server's TF configuration: %.0f%% (what the batch size alone costs)%n",
                    100 * atServedBatch / best);
            System.out.printf(Locale.ROOT, "gRPC with batching / Session.run at the server's mean batch: %.0f%% (what "
                    + "the batcher and the transport cost)%n", 100 * served / atServedBatch);
        }
        if (!meanBatchRows.isEmpty()) {
            System.out.printf(Locale.ROOT, "server's mean batch while served (its /metrics, warm-ups included): "
                    + "%.1f rows%n", meanBatchRows.stream().mapToDouble(Double::doubleValue).average().orElse(0));
        }
    }

    /** A Predict of one random 784-float row for {@code model}, in {@code tensor_content}: what the bench sends. */
    static PredictRequest request(final String model) {
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
