package io.ringserve.server;

import java.util.Map;
import java.util.Properties;

/**
 * JVM properties a serving process wants that library defaults get wrong for it. Each is set only when the user has
 * not set it ({@code -Dname=value} wins), and must be applied before Netty or JavaCPP classes load.
 */
final class ServerDefaults {
    /**
     * <ul>
     *   <li>{@code io.netty.leakDetection.level=disabled}: Netty's default samples buffers and records a stack trace
     *       at each touch of a sampled one; under load that was about 6 % of the event loops' CPU. Tests run with
     *       {@code paranoid} instead, where leaks are found.</li>
     *   <li>{@code org.bytedeco.javacpp.maxPhysicalBytes=0}: JavaCPP otherwise reads {@code /proc/self/statm} on
     *       native allocations to decide whether to call {@code System.gc()}; every tensor ringserve makes is closed
     *       explicitly, so the check only costs a system call per tensor.</li>
     * </ul>
     */
    static final Map<String, String> JVM_PROPERTIES = Map.of(
            "io.netty.leakDetection.level", "disabled",
            "org.bytedeco.javacpp.maxPhysicalBytes", "0");

    private ServerDefaults() {
    }

    /**
     * grpc-java's logger that writes a WARNING with the whole stack trace for every message a client sends that the
     * server refuses to read (one over the size limit, one that does not inflate): the client gets its status
     * (RESOURCE_EXHAUSTED, INTERNAL) and the request metrics count it, so such a client would only fill the log. Its
     * errors still show. Held here: java.util.logging keeps loggers weakly, and would forget the level.
     */
    static final java.util.logging.Logger GRPC_MESSAGE_FAILURES =
            java.util.logging.Logger.getLogger("io.grpc.netty.NettyServerStream");

    /** Quiets {@link #GRPC_MESSAGE_FAILURES} to its errors. */
    static void quietClientMistakes() {
        GRPC_MESSAGE_FAILURES.setLevel(java.util.logging.Level.SEVERE);
    }

    /** Sets each of {@link #JVM_PROPERTIES} that {@code properties} does not already have. */
    static void applyJvmProperties(final Properties properties) {
        JVM_PROPERTIES.forEach(properties::putIfAbsent);
    }
}
