package io.ringserve.server.config;

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
        return TextFormatFiles.read(file, "monitoring config file", MonitoringConfigFile::parse);
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
        if (prometheus == null || !prometheus.bool("enable", false)) {
            return "";
        }
        for (String field : prometheus.fieldNames()) {
            if (!field.equals("enable") && !field.equals("path")) {
                throw new TextFormatException("unknown field '" + field + "' in prometheus_config");
            }
        }
        final String path = prometheus.scalar("path").orElse("");
        if (path.isEmpty()) {
            return DEFAULT_PATH;
        }
        if (!path.startsWith("/")) {
            throw new TextFormatException("prometheus_config.path must start with '/', got '" + path + "'");
        }
        return path;
    }
}
