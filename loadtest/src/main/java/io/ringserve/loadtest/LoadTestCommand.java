package io.ringserve.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/ringserve-loadtest}: drives a running server over TF Serving REST or gRPC with requests generated from
 * its own metadata, closed loop ({@code --concurrency}) or open loop ({@code --rate}), optionally sweeping, and
 * writes the results as JSON and CSV.
 */
@Command(name = "ringserve-loadtest", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load test a TF Serving or KServe V2 compatible server (REST or gRPC), closed or open loop.")
public final class LoadTestCommand implements Callable<Integer> {
    /** The command line this command was parsed from: where its usage errors are reported. */
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--target", defaultValue = "http://127.0.0.1:8501",
            description = "REST base URL (default: ${DEFAULT-VALUE}); its metadata describes the inputs.")
    URI target;

    @Option(names = "--grpc", paramLabel = "HOST:PORT|unix:PATH",
            description = "Send gRPC calls (Predict with tensor_content; ModelInfer with raw contents under "
                    + "--protocol=v2) to this address instead of REST: host:port, or "
                    + "unix:PATH for a server's --grpc_socket_path.")
    String grpc;

    /** Which inference API the requests use. */
    enum Protocol {
        /** TF Serving's: REST {@code /v1/models/{m}:predict} (row format), gRPC PredictionService/Predict. */
        v1,
        /** KServe V2's: REST {@code /v2/models/{m}/infer} (JSON tensors), gRPC GRPCInferenceService/ModelInfer. */
        v2
    }

    @Option(names = "--protocol", defaultValue = "v1",
            description = "v1: TF Serving's predict API; v2: KServe V2's infer API, inputs read from its model "
                    + "metadata, so that any V2 server (Triton, KServe runtimes) can be driven (default: "
                    + "${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--model", defaultValue = "mlp", description = "Model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--signature", defaultValue = "serving_default",
            description = "Signature (default: ${DEFAULT-VALUE}).")
    String signature;

    @Option(names = "--rows", defaultValue = "1", description = "Rows per request (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--input_file", paramLabel = "FILE",
            description = "REST: send this JSON body (a TF Serving predict request, or a V2 infer request with "
                    + "--protocol=v2) instead of generated inputs; --rows then states how many rows it holds.")
    Path inputFile;

    @Option(names = "--concurrency", description = "Closed loop: requests in flight.")
    Integer concurrency;

    @Option(names = "--rate", description = "Open loop: requests per second.")
    Double rate;

    @Option(names = "--arrivals", defaultValue = "poisson",
            description = "Open loop arrivals: poisson or constant (default: ${DEFAULT-VALUE}).")
    String arrivals;

    @Option(names = "--connections", defaultValue = "256",
            description = "Open loop: the most requests in flight (REST: connections) (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--grpc_channels", defaultValue = "2",
            description = "Closed loop over gRPC: HTTP/2 connections the calls are spread over "
                    + "(default: ${DEFAULT-VALUE}).")
    int grpcChannels;

    /** How gRPC requests are compressed. */
    enum GrpcCompression {
        none, gzip, deflate
    }

    @Option(names = "--grpc_compression", defaultValue = "none",
            description = "gRPC: send requests compressed, as clients that set grpc-encoding do: none, gzip or "
                    + "deflate (default: ${DEFAULT-VALUE}).")
    GrpcCompression grpcCompression;

    @Option(names = "--sweep", paramLabel = "concurrency=1,2,4|rate=100,200",
            description = "Run one load per value.")
    String sweep;

    @Option(names = "--duration", defaultValue = "15",
            description = "Seconds measured per load (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "5",
            description = "Seconds of warm-up per load (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random inputs and arrivals.")
    long seed;

    @Option(names = "--out", defaultValue = "target/loadtest",
            description = "Where results.json, results.csv and results.png go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--write_body", paramLabel = "FILE",
            description = "Write the REST request body to FILE and exit (to drive another tool, e.g. wrk, alike).")
    Path writeBody;

    @Option(names = "--slo_p99_ms", description = "With a concurrency sweep: recommend autoscaling targets for this "
            + "p99 latency objective.")
    Long sloP99Millis;

    @Option(names = "--ceiling_model_dir", paramLabel = "DIR",
            description = "Also run this SavedModel base path in-process (Session.run) at --ceiling_batches and "
                    + "compare the server with it.")
    Path ceilingModelDir;

    @Option(names = "--ceiling_batches", defaultValue = "1,64", split = ",",
            description = "Batch sizes of the in-process ceiling (default: ${DEFAULT-VALUE}).")
    List<Integer> ceilingBatches;

    public static void main(final String[] args) {
        System.exit(new CommandLine(new LoadTestCommand())
                // A server that cannot be reached, or a model it does not serve, is a one-line error, not a trace.
                .setExecutionExceptionHandler((failure, commandLine, parsed) -> {
                    commandLine.getErr().println("ringserve-loadtest: " + failure.getMessage());
                    return 1;
                })
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (protocol == Protocol.v2 && !signature.equals("serving_default")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--signature: KServe V2 requests name "
                    + "no signature (the server runs the model's default one); drop it or use --protocol=v1");
        }
        if (grpcCompression != GrpcCompression.none && grpc == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--grpc_compression compresses gRPC "
                    + "calls: give --grpc too (REST bodies are sent as they are)");
        }
        final RequestFactory requests = new RequestFactory(model, signature,
                inputFile != null && grpc == null ? List.of() : inputsFromMetadata(), seed);
        if (writeBody != null) {
            java.nio.file.Files.write(writeBody, generatedRestBody(requests));
            return 0;
        }
        final List<LoadResult> results = new ArrayList<>();
        final List<String> loads = loads();
        for (int i = 0; i < loads.size(); i++) {
            final String[] kv = loads.get(i).split("=");
            final Optional<ServerMetricsScrape> before = ServerMetricsScrape.take(target);
            final Progress progress = Progress.start(String.format(Locale.ROOT, "[%d/%d] %s", i + 1, loads.size(),
                    loads.get(i)), warmupSeconds, durationSeconds);
            final LoadResult result;
            try {
                result = kv[0].equals("rate") ? openLoop(requests, Double.parseDouble(kv[1]))
                        : closedLoop(requests, Integer.parseInt(kv[1]));
            } finally {
                progress.stop();
            }
            results.add(result);
            before.ifPresent(b -> ServerMetricsScrape.take(target).ifPresent(
                    after -> System.err.println("  " + after.describeSince(b))));
            System.err.printf(Locale.ROOT, "%-40s %9.1f req/s  p50 %7d us  p99 %7d us  errors %d%n",
                    result.label(), result.throughput(), result.percentileMicros(50), result.percentileMicros(99),
                    result.errors());
            if (kv[0].equals("rate") && generatorFellBehind(result, Double.parseDouble(kv[1]))) {
                System.err.printf(Locale.ROOT, "  warning: the generator sent %.1f req/s of the %s asked (send lag "
                        + "p99 %d us): the client, not the server, limited this load%n", result.sendRate(), kv[1],
                        result.sendLagP99Micros());
            }
        }
        ReportWriter.write(out, results);
        LatencyThroughputPlot.write(out.resolve("results.png"), model + " over " + (grpc != null ? "gRPC" : "REST"),
                results);
        ReportWriter.table(System.out, results);
        if (ceilingModelDir != null) {
            compareWithCeiling(results);
        }
        if (sloP99Millis != null) {
            recommend(loads, results);
        }
        System.out.println("\nResults in " + out.toAbsolutePath().resolve("results.json")
                + " (also results.csv, results.png)");
        return 0;
    }

    private void compareWithCeiling(final List<LoadResult> results) {
        final LoadResult best = results.stream()
                .max(java.util.Comparator.comparingDouble(LoadResult::samplesPerSecond)).orElseThrow();
        final List<LoadResult> ceilings = SessionRunCeiling.measure(ceilingModelDir, signature, ceilingBatches,
                Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds));
        System.out.println();
        for (int i = 0; i < ceilings.size(); i++) {
            final LoadResult c = ceilings.get(i);
            System.out.printf(Locale.ROOT, "In-process Session.run at batch %d: %.0f samples/s; best load (%s) "
                    + "reaches %.0f%% of it%n", ceilingBatches.get(i), c.samplesPerSecond(), best.label(),
                    100 * best.samplesPerSecond() / c.samplesPerSecond());
        }
    }

    private void recommend(final List<String> loads, final List<LoadResult> results) {
        if (!loads.get(0).startsWith("concurrency=")) {
            System.out.println("\n--slo_p99_ms needs a concurrency sweep (--sweep=concurrency=...)");
            return;
        }
        final List<Integer> concurrencies = loads.stream().map(l -> Integer.parseInt(l.split("=")[1])).toList();
        final long slo = sloP99Millis * 1000;
        Recommendation.from(concurrencies, results, slo).ifPresentOrElse(r -> r.print(System.out, slo),
                () -> System.out.printf(Locale.ROOT, "%nNo load met p99 <= %d ms: one pod cannot serve this SLO "
                        + "even at the lowest concurrency tried%n", sloP99Millis));
    }

    private List<String> loads() {
        if (sweep != null) {
            final String[] kv = sweep.split("=", 2);
            if (kv.length != 2 || !(kv[0].equals("concurrency") || kv[0].equals("rate"))) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--sweep takes concurrency=1,2,4 or rate=100,200");
            }
            final List<String> loads = new ArrayList<>();
            for (String value : kv[1].split(",")) {
                loads.add(kv[0] + "=" + value.trim());
            }
            return loads;
        }
        if (rate != null) {
            return List.of("rate=" + rate);
        }
        return List.of("concurrency=" + (concurrency == null ? 1 : concurrency));
    }

    private LoadResult closedLoop(final RequestFactory requests, final int inFlight) throws Exception {
        final Duration warmup = Duration.ofSeconds(warmupSeconds);
        final Duration duration = Duration.ofSeconds(durationSeconds);
        if (grpc != null) {
            try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient(grpc, grpcCall(requests), grpcChannels)) {
                return client.run(label("grpc") + ", concurrency " + inFlight, inFlight, warmup, duration, rows);
            }
        }
        try (ClosedLoopRestClient client = new ClosedLoopRestClient(inferUri(), restBody(requests))) {
            return client.run(label("rest") + ", concurrency " + inFlight, inFlight, warmup, duration, rows);
        }
    }

    private LoadResult openLoop(final RequestFactory requests, final double perSecond) throws Exception {
        final Arrivals schedule = switch (arrivals) {
            case "constant" -> Arrivals.constant(perSecond);
            case "poisson" -> Arrivals.poisson(perSecond, seed);
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--arrivals must be poisson or constant, got '" + arrivals + "'");
        };
        if (grpc != null) {
            try (OpenLoopGrpcClient client = new OpenLoopGrpcClient(grpc, grpcCall(requests), connections)) {
                return client.run(String.format(Locale.ROOT, "%s, %s rate %.0f/s", label("grpc"), arrivals,
                        perSecond), schedule, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds),
                        rows);
            }
        }
        try (OpenLoopRestClient client = new OpenLoopRestClient(inferUri(), restBody(requests), connections)) {
            return client.run(String.format(Locale.ROOT, "%s, %s rate %.0f/s", label("rest"), arrivals, perSecond),
                    schedule, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds), rows);
        }
    }

    private List<InputSpec> inputsFromMetadata() throws java.io.IOException {
        return protocol == Protocol.v2 ? RequestFactory.fromV2Metadata(target, model)
                : RequestFactory.fromMetadata(target, model, signature);
    }

    /** {@code rest} or {@code grpc}, with the protocol when it is not TF Serving's (the reports' row labels). */
    private String label(final String transport) {
        return protocol == Protocol.v1 ? transport : transport + " " + protocol;
    }

    private GrpcInferenceCall<?, ?> grpcCall(final RequestFactory requests) {
        final GrpcInferenceCall<?, ?> call = protocol == Protocol.v2
                ? GrpcInferenceCall.modelInfer(requests.v2GrpcRequest(rows))
                : GrpcInferenceCall.predict(requests.grpcRequest(rows));
        return call.compressedWith(grpcCompression == GrpcCompression.none ? null : grpcCompression.name());
    }

    private byte[] restBody(final RequestFactory requests) throws java.io.IOException {
        return inputFile != null ? java.nio.file.Files.readAllBytes(inputFile) : generatedRestBody(requests);
    }

    private byte[] generatedRestBody(final RequestFactory requests) {
        return protocol == Protocol.v2 ? requests.v2RestBody(rows) : requests.restBody(rows);
    }

    private URI inferUri() {
        return target.resolve(protocol == Protocol.v2 ? "/v2/models/" + model + "/infer"
                : "/v1/models/" + model + ":predict");
    }

    /**
     * Whether the generator made fewer requests due than the rate asked: beyond 5 % for a constant schedule, beyond
     * three standard deviations of the count for Poisson arrivals (whose count varies by its square root), so that
     * chance does not read as a slow client. A slow server does not count: requests waiting for a connection are
     * due all the same, and show in latency.
     */
    static boolean generatorFellBehind(final LoadResult result, final double askedPerSecond) {
        final double expected = askedPerSecond * result.seconds();
        final double made = result.sendRate() * result.seconds();
        final double allowed = Math.max(0.05 * expected, 3 * Math.sqrt(expected));
        return made < expected - allowed;
    }
}
