package io.ringserve.loadtest;

import io.ringserve.models.SignatureSpec;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The batching benchmark behind the README's Performance table (docs/PERFORMANCE.md), all measured in one run on
 * one machine: two running servers on the same model, one with batching off and one with it on, driven over REST by
 * the same closed-loop client, next to the in-process {@code Session.run} ceiling of that model.
 *
 * <pre>
 * BatchingBench --off=http://127.0.0.1:18501 --on=http://127.0.0.1:18502 --model=mlp --model_dir=demo-models/mlp
 *               [--concurrency=64] [--duration_s=15] [--warmup_s=10] [--rounds=3]
 * </pre>
 *
 * Each load is run {@code rounds} times, alternating off and on so that drift of a shared machine hits both, and
 * averaged; the first load of each server warms up three times as long, for its JIT.
 */
public final class BatchingBench {
    private BatchingBench() {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> flags = parse(args);
        final String model = flags.getOrDefault("model", "mlp");
        final int concurrency = Integer.parseInt(flags.getOrDefault("concurrency", "64"));
        final Duration duration = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("duration_s", "15")));
        final Duration warmup = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("warmup_s", "10")));
        final int rounds = Integer.parseInt(flags.getOrDefault("rounds", "3"));
        final PrintStream out = System.out;

        final List<LoadResult> ceiling = SessionRunCeiling.measure(Path.of(required(flags, "model_dir")),
                SignatureSpec.DEFAULT_KEY, List.of(1, 64), warmup, duration);
        final byte[] body = oneRowOfMlpInput();
        final URI off = URI.create(required(flags, "off") + "/v1/models/" + model + ":predict");
        final URI on = URI.create(required(flags, "on") + "/v1/models/" + model + ":predict");
        final List<LoadResult> offMany = new ArrayList<>();
        final List<LoadResult> onMany = new ArrayList<>();
        final List<LoadResult> offOne = new ArrayList<>();
        final List<LoadResult> onOne = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            // Each server's first load also warms its JIT, which takes about 30 s under load on two cores: measure
            // steady state, for both servers alike.
            final Duration firstWarmup = round == 0 ? warmup.multipliedBy(3) : warmup;
            offMany.add(load("batching off, " + concurrency + " clients", off, body, concurrency, firstWarmup,
                    duration));
            onMany.add(load("batching on, " + concurrency + " clients", on, body, concurrency, firstWarmup,
                    duration));
        }
        for (int round = 0; round < rounds; round++) {
            offOne.add(load("batching off, 1 client", off, body, 1, warmup, duration));
            onOne.add(load("batching on, 1 client", on, body, 1, warmup, duration));
        }
        out.println();
        out.println("| " + model + " over REST, one 784-float row per request | samples/s | p50 µs | p99 µs |");
        out.println("|---|---:|---:|---:|");
        for (LoadResult r : ceiling) {
            BenchTable.row(out, r.label() + " (in-process ceiling)", List.of(r));
        }
        for (List<LoadResult> load : List.of(offMany, onMany, offOne, onOne)) {
            BenchTable.row(out, load.get(0).label(), load);
        }
        final double offThroughput = BenchTable.mean(offMany, LoadResult::throughput);
        final double onThroughput = BenchTable.mean(onMany, LoadResult::throughput);
        final double offP50 = BenchTable.mean(offOne, r -> r.percentileMicros(50));
        final double onP50 = BenchTable.mean(onOne, r -> r.percentileMicros(50));
        out.println();
        out.printf(Locale.ROOT, "Throughput, batching on / off at %d clients: %.2fx (target >= 4x)%n", concurrency,
                onThroughput / offThroughput);
        out.printf(Locale.ROOT, "Batching on / in-process Session.run ceiling at batch 64: %.0f%%%n",
                100 * onThroughput / ceiling.get(1).samplesPerSecond());
        out.printf(Locale.ROOT, "One client, p50 batching on - off: %+.0f us (%+.1f%%; target within 5%% or 100 us)%n",
                onP50 - offP50, 100 * (onP50 - offP50) / offP50);
    }

    private static LoadResult load(final String label, final URI target, final byte[] body, final int concurrency,
                                   final Duration warmup, final Duration duration) throws InterruptedException {
        try (ClosedLoopRestClient client = new ClosedLoopRestClient(target, body)) {
            final LoadResult result = client.run(label, concurrency, warmup, duration, 1);
            System.err.printf(Locale.ROOT, "  %-32s %9.1f req/s  p50 %6d us  p99 %6d us  errors %d%n", label,
                    result.throughput(), result.percentileMicros(50), result.percentileMicros(99), result.errors());
            return result;
        }
    }

    /** One 784-float row, seeded, as TF Serving's row format. */
    public static byte[] oneRowOfMlpInput() {
        final Random random = new Random(42);
        final StringBuilder json = new StringBuilder("{\"instances\": [[");
        for (int i = 0; i < 784; i++) {
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextFloat()));
        }
        return json.append("]]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code --name=value} arguments by name. */
    static Map<String, String> parse(final String[] args) {
        final Map<String, String> flags = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        return flags;
    }

    static String required(final Map<String, String> flags, final String name) {
        final String value = flags.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
