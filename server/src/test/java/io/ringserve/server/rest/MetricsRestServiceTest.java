package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The exposition's paths: ringserve's /metrics, and TF Serving's monitoring path, which may be /metrics too. */
class MetricsRestServiceTest {
    private static String scrape(final MetricsRestService metrics, final String path) {
        final FullHttpResponse response = metrics.scrape(ByteBufAllocator.DEFAULT, path);
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void tfServingsPathMayBeMetricsItselfWhichThenServesBoth() {
        final MetricsRestService metrics = new MetricsRestService(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                "/metrics", () -> "tfs_family 1\n");
        assertThat(metrics.paths()).containsExactly("/metrics");
        assertThat(scrape(metrics, "/metrics")).endsWith("tfs_family 1\n");
    }

    @Test
    void tfServingsOwnPathShouldAddItsFamiliesThereOnly() {
        final MetricsRestService metrics = new MetricsRestService(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                "/monitoring/prometheus/metrics", () -> "tfs_family 1\n");
        assertThat(metrics.paths()).containsExactlyInAnyOrder("/metrics", "/monitoring/prometheus/metrics");
        assertThat(scrape(metrics, "/metrics")).doesNotContain("tfs_family");
        assertThat(scrape(metrics, "/monitoring/prometheus/metrics")).endsWith("tfs_family 1\n");
    }
}
