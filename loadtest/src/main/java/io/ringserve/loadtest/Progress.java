package io.ringserve.loadtest;

import java.util.Locale;

/**
 * A live progress line on a terminal ({@code \r}-rewritten once a second: which load, warming up or measuring, and
 * how far); silent when output is not a terminal, so logs and CI stay clean.
 */
final class Progress {
    private final Thread thread;

    private Progress(final Thread thread) {
        this.thread = thread;
    }

    static Progress start(final String what, final int warmupSeconds, final int durationSeconds) {
        if (System.console() == null) {
            return new Progress(null);
        }
        final long start = System.nanoTime();
        final Thread thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    final long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
                    final String phase = elapsed < warmupSeconds
                            ? String.format(Locale.ROOT, "warming up %d/%d s", elapsed, warmupSeconds)
                            : String.format(Locale.ROOT, "measuring %d/%d s", elapsed - warmupSeconds,
                                    durationSeconds);
                    System.err.print("\r" + what + ": " + phase + "   ");
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loadtest-progress");
        thread.setDaemon(true);
        thread.start();
        return new Progress(thread);
    }

    void stop() {
        if (thread != null) {
            thread.interrupt();
            System.err.print("\r");
        }
    }
}
