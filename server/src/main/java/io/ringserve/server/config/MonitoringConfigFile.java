package io.ringserve.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TF Serving's {@code MonitoringConfig} text file ({@code --monitoring_config_file}):
 *
 * <pre>
 * prometheus_config {
 *   enable: true,
 *   path: "/monitoring/prometheus/metrics"
 * }
 * </pre>
 */
public final class MonitoringConfigFile {
    /** TF Serving's default Prometheus path. */
    public static final String DEFAULT_PATH = "/monitoring/prometheus/metrics";

    private MonitoringConfigFile() {
    }

    /** The Prometheus path the file enables, or an empty string when Prometheus is not enabled. */
    public static String read(final Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new TextFormatException("cannot read monitoring config file " + file + ": " + e.getMessage());
        } catch (TextFormatException e) {
            throw new TextFormatException("monitoring config file " + file + ": " + e.getMessage());
        }
    }

    /** See {@link #read}. */
    public static String parse(final String text) {
        final TextMessage config = TextFormatParser.parse(text);
        for (String field : config.fieldNames()) {
            if (!field.equals("prometheus_config")) {
                throw new TextFormatException("unknown field '" + field + "' in MonitoringConfig");
            }
        }
        final TextMessage prometheus = config.message("prometheus_config").orElse(null);
        if (prometheus == null || !Boolean.parseBoolean(prometheus.scalar("enable").orElse("false"))) {
            return "";
        }
        final String path = prometheus.scalar("path").orElse("");
        return path.isEmpty() ? DEFAULT_PATH : path;
    }
}
