package io.ringserve.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** TF Serving's monitoring config: the Prometheus path it enables, and what cannot be one. */
class MonitoringConfigFileTest {
    @Test
    void shouldTakeTfServingsPathsIncludingPrometheusOwnDefault() {
        assertThat(MonitoringConfigFile.parse("prometheus_config { enable: true }"))
                .isEqualTo(MonitoringConfigFile.DEFAULT_PATH);
        assertThat(MonitoringConfigFile.parse("prometheus_config { enable: true path: \"/metrics\" }"))
                .isEqualTo("/metrics");
        assertThat(MonitoringConfigFile.parse("prometheus_config { enable: false path: \"/x\" }")).isEmpty();
        // TF Serving matches its Prometheus path before its REST API, so a path under /v1 is one too.
        assertThat(MonitoringConfigFile.parse("prometheus_config { enable: true path: \"/v1/metrics\" }"))
                .isEqualTo("/v1/metrics");
    }

    @Test
    void shouldRefuseWhatWouldLeaveTheMetricsUnreachableOrATypoUnnoticed() {
        assertThatThrownBy(() -> MonitoringConfigFile.parse("prometheus_config { enable: true colour: 1 }"))
                .isInstanceOf(TextFormatException.class)
                .hasMessageContaining("unknown field 'colour' in prometheus_config");
        assertThatThrownBy(() -> MonitoringConfigFile.parse("prometheus_config { enable: true path: \"metrics\" }"))
                .hasMessageContaining("prometheus_config.path must start with '/', got 'metrics'");
    }
}
