package io.ringserve.batching;

/** A source of nanosecond time, injectable so that tests control deadlines and batch timeouts. */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin, like {@link System#nanoTime()}. */
    long nanoTime();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
