package io.ringserve.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The gRPC benchmark's load (gRPC Predict, one 784-float row per call, 64 calls in flight over 2 connections) on
 * ringserve and on {@link GrpcFloorServer} in turn, both running on this machine: calls per second and, from
 * {@code /proc}, the CPU each spends per call in all and on its event loop. What the floor spends is grpc-java's own
 * cost in the same regime; what ringserve spends beyond it is ringserve's. Linux only.
 *
 * <pre>
 * FloorBench --server=127.0.0.1:18723 --server_pid=PID --floor=127.0.0.1:18713 --floor_pid=PID
 *            [--rounds=3] [--duration_s=12] [--warmup_s=10]
 * </pre>
 */
public final class FloorBench {
    /** Linux's clock ticks per second for {@code /proc/.../stat} times (USER_HZ). */
    private static final int TICKS_PER_SECOND = 100;

    private FloorBench() {
    }

    /** One server under the load: where it listens, its process, and its event loop threads' name prefix. */
    private record Target(String label, String address, long pid, String loopPrefix) {
    }

    /** Calls per second, and CPU microseconds per call: the whole process's and its event loop's. */
    private record Phase(double callsPerSecond, double processMicros, double loopMicros) {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> flags = BatchingBench.parse(args);
        final int rounds = Integer.parseInt(flags.getOrDefault("rounds", "3"));
        final Duration duration = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("duration_s", "12")));
        final Duration warmup = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("warmup_s", "10")));
        // Linux truncates thread names to 15 characters: "ringserve-rest-" (the acceptor too, which is idle here).
        final List<Target> targets = List.of(
                new Target("ringserve", BatchingBench.required(flags, "server"),
                        Long.parseLong(BatchingBench.required(flags, "server_pid")), "ringserve-rest"),
                new Target("grpc-java floor", BatchingBench.required(flags, "floor"),
                        Long.parseLong(BatchingBench.required(flags, "floor_pid")), "floor-loop"));
        final List<List<Phase>> phases = List.of(new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < targets.size(); k++) {
                final int t = round % 2 == 0 ? k : targets.size() - 1 - k; // alternate which goes first
                final Phase phase = measure(targets.get(t), round == 0 ? warmup.multipliedBy(2) : warmup, duration);
                phases.get(t).add(phase);
                System.err.printf(Locale.ROOT, "  round %d %s: %.0f calls/s, %.1f us of CPU per call, %.1f on the "
                        + "event loop%n", round + 1, targets.get(t).label(), phase.callsPerSecond(),
                        phase.processMicros(), phase.loopMicros());
            }
        }
        System.out.println();
        System.out.println("| 64 calls in flight, one 784-float row each (mean of " + rounds + " rounds) | calls/s "
                + "| CPU µs per call | event loop CPU µs per call |");
        System.out.println("|---|---:|---:|---:|");
        for (int t = 0; t < targets.size(); t++) {
            final List<Phase> mine = phases.get(t);
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.1f |%n", targets.get(t).label(),
                    mine.stream().mapToDouble(Phase::callsPerSecond).average().orElse(0),
                    mine.stream().mapToDouble(Phase::processMicros).average().orElse(0),
                    mine.stream().mapToDouble(Phase::loopMicros).average().orElse(0));
        }
    }

    private static Phase measure(final Target target, final Duration warmup, final Duration duration)
            throws InterruptedException {
        try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient(target.address(),
                GrpcInferenceCall.predict(GrpcBench.request("mlp")))) {
            client.run("warm-up", 64, warmup, Duration.ofSeconds(1), 1);
        }
        final long processBefore = processTicks(target.pid());
        final long loopBefore = threadTicks(target.pid(), target.loopPrefix());
        final LoadResult result;
        try (ClosedLoopGrpcClient client = new ClosedLoopGrpcClient(target.address(),
                GrpcInferenceCall.predict(GrpcBench.request("mlp")))) {
            result = client.run(target.label(), 64, Duration.ZERO, duration, 1);
        }
        if (result.requests() == 0 || result.errors() > 0) {
            throw new IllegalStateException(target.label() + " at " + target.address() + " answered "
                    + result.requests() + " calls and failed " + result.errors() + ": is it up?");
        }
        final double calls = result.requests(); // answered in the window; the ticks also span its few ms of set-up
        return new Phase(result.samplesPerSecond(),
                micros(processTicks(target.pid()) - processBefore) / calls,
                micros(threadTicks(target.pid(), target.loopPrefix()) - loopBefore) / calls);
    }

    private static double micros(final long ticks) {
        return ticks * 1_000_000.0 / TICKS_PER_SECOND;
    }

    /** User and system ticks of a process, or of a thread (its {@code stat} file). */
    private static long ticksOf(final Path stat) {
        try {
            final String line = Files.readString(stat);
            // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
            final String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stat + " (a Linux /proc is needed)", e);
        }
    }

    private static long processTicks(final long pid) {
        return ticksOf(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static long threadTicks(final long pid, final String namePrefix) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            long ticks = 0;
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().startsWith(namePrefix)) {
                        ticks += ticksOf(task.resolve("stat"));
                    }
                } catch (IOException | UncheckedIOException e) {
                    // a thread that ended while the threads were listed (JIT compiler threads come and go)
                }
            }
            return ticks;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the threads of process " + pid, e);
        }
    }
}
