package io.ringserve.server;

import io.ringserve.server.config.TextFormatException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point: parses the command line, starts the {@link InferenceServer}, and on SIGTERM or SIGINT stops it
 * gracefully (stop accepting, drain, unload) before the process exits 0.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(final String[] args) throws InterruptedException {
        ServerDefaults.applyJvmProperties(System.getProperties());
        ServerDefaults.quietClientMistakes();
        final ServerCommand command = new ServerCommand();
        // As with TF Serving's flags, a flag given twice takes its last value (images add defaults before user flags).
        final CommandLine commandLine = new CommandLine(command).setOverwrittenOptionsAllowed(true);
        final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        final ServerConfig config;
        try {
            commandLine.parseArgs(args);
            if (commandLine.isUsageHelpRequested()) {
                commandLine.usage(out);
                out.println("TF Serving flags taken with no effect (each logged with why when given):");
                InertTfServingFlags.NO_EFFECT.keySet().stream().sorted().forEach(flag -> out.println("  " + flag));
                return;
            }
            if (commandLine.isVersionHelpRequested()) {
                commandLine.printVersionHelp(out);
                return;
            }
            config = command.toConfig(System.getenv());
        } catch (CommandLine.ParameterException | IllegalArgumentException | TextFormatException e) {
            System.err.println("ringserve: " + e.getMessage());
            System.err.println("Run with --help for the flags.");
            System.exit(2);
            return;
        }
        final InferenceServer server = new InferenceServer(config);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down: draining requests");
            final long start = System.nanoTime();
            server.close();
            LOG.info("Shut down in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            stopped.countDown();
        }, "ringserve-shutdown"));
        try {
            server.start();
        } catch (RuntimeException e) {
            // System.exit, not a return: the event loops started so far would keep the process alive.
            LOG.error("ringserve failed to start: {}", e.getMessage() != null ? e.getMessage() : e.toString());
            System.exit(1);
        }
        ServerCommand.printBanner(out, server);
        stopped.await();
    }
}
