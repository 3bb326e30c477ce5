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

    /** Sets each of {@link #JVM_PROPERTIES} that {@code properties} does not already have. */
    static void applyJvmProperties(final Properties properties) {
        JVM_PROPERTIES.forEach(properties::putIfAbsent);
    }
}
