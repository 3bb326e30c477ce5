package io.ringserve.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.server.inference.ExampleCounts;
import io.ringserve.server.inference.RuntimeLatency;
import io.ringserve.server.inference.StatusCode;
import io.ringserve.server.inference.TfServingApi;
import io.ringserve.server.metrics.TfServingMetrics.Entrypoint;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** TF Serving's own metric families, in its exposition: names, labels, microsecond buckets. */
class TfServingMetricsTest {
    private final TfServingMetrics metrics = new TfServingMetrics();

    private List<String> lines(final String prefix) {
        return metrics.exposition().lines().filter(line -> line.startsWith(prefix)).toList();
    }

    @Test
    void everyRequestShouldCountByItsStatusCodesName() {
        metrics.requestFinished("m", TfServingApi.PREDICT, Entrypoint.GRPC, StatusCode.OK, 1_000);
        metrics.requestFinished("m", TfServingApi.PREDICT, Entrypoint.REST, StatusCode.OK, 1_000);
        metrics.requestFinished("m", TfServingApi.CLASSIFY, Entrypoint.REST, StatusCode.INVALID_ARGUMENT, 1_000);
        assertThat(lines(":tensorflow:serving:request_count")).containsExactly(
                ":tensorflow:serving:request_count{model_name=\"m\",status=\"INVALID_ARGUMENT\"} 1",
                ":tensorflow:serving:request_count{model_name=\"m\",status=\"OK\"} 2");
        assertThat(metrics.exposition()).contains("# TYPE :tensorflow:serving:request_count counter\n")
                .doesNotContain("# HELP");
    }

    @Test
    void onlyAnsweredRequestsShouldCountInTheLatencyInMicrosecondsWithTfServingsBuckets() {
        metrics.requestFinished("m", TfServingApi.PREDICT, Entrypoint.REST, StatusCode.OK, TimeUnit.MICROSECONDS.toNanos(18));
        metrics.requestFinished("m", TfServingApi.PREDICT, Entrypoint.REST, StatusCode.OK, TimeUnit.MICROSECONDS.toNanos(20));
        metrics.requestFinished("m", TfServingApi.PREDICT, Entrypoint.REST, StatusCode.OK, TimeUnit.SECONDS.toNanos(7200));
        metrics.requestFinished("m", TfServingApi.PREDICT, Entrypoint.REST, StatusCode.UNAVAILABLE, 5_000);
        final List<String> buckets = lines(":tensorflow:serving:request_latency_bucket");
        assertThat(buckets).hasSize(34).startsWith(
                ":tensorflow:serving:request_latency_bucket{model_name=\"m\",API=\"predict\",entrypoint=\"REST\","
                        + "le=\"10\"} 0",
                ":tensorflow:serving:request_latency_bucket{model_name=\"m\",API=\"predict\",entrypoint=\"REST\","
                        + "le=\"18\"} 0",
                ":tensorflow:serving:request_latency_bucket{model_name=\"m\",API=\"predict\",entrypoint=\"REST\","
                        + "le=\"32.4\"} 2");
        assertThat(buckets.get(32)).as("the last limit, about 25 minutes").endsWith("le=\"1.47476e+09\"} 2");
        assertThat(buckets.get(33)).endsWith("le=\"+Inf\"} 3");
        assertThat(lines(":tensorflow:serving:request_latency_sum")).containsExactly(
                ":tensorflow:serving:request_latency_sum{model_name=\"m\",API=\"predict\",entrypoint=\"REST\"} "
                        + (18 + 20 + 7_200_000_000L));
        assertThat(lines(":tensorflow:serving:request_latency_count")).containsExactly(
                ":tensorflow:serving:request_latency_count{model_name=\"m\",API=\"predict\",entrypoint=\"REST\"} 3");
    }

    @Test
    void theApiLabelShouldBeCapitalisedOverGrpcAndInTheRuntimeLatency() {
        metrics.requestFinished("m", TfServingApi.REGRESS, Entrypoint.GRPC, StatusCode.OK, 1_000);
        metrics.record("m", TfServingApi.REGRESS, 2_000);
        assertThat(lines(":tensorflow:serving:request_latency_count")).containsExactly(
                ":tensorflow:serving:request_latency_count{model_name=\"m\",API=\"Regress\",entrypoint=\"GRPC\"} 1");
        assertThat(lines(":tensorflow:serving:runtime_latency_sum")).containsExactly(
                ":tensorflow:serving:runtime_latency_sum{model_name=\"m\",API=\"Regress\",runtime=\"TF1\"} 2");
    }

    @Test
    void batchingQueueWaitsShouldCountUnderTheModelServersNamelessThreadPool() {
        metrics.queued(TimeUnit.MICROSECONDS.toNanos(99));
        metrics.queued(TimeUnit.MICROSECONDS.toNanos(150));
        final List<String> buckets = lines(":tensorflow:serving:batching_session:queuing_latency_bucket");
        assertThat(buckets).hasSize(53).startsWith(
                ":tensorflow:serving:batching_session:queuing_latency_bucket{thread_pool_name=\"\",le=\"100\"} 1",
                ":tensorflow:serving:batching_session:queuing_latency_bucket{thread_pool_name=\"\",le=\"120\"} 1",
                ":tensorflow:serving:batching_session:queuing_latency_bucket{thread_pool_name=\"\",le=\"144\"} 1",
                ":tensorflow:serving:batching_session:queuing_latency_bucket{thread_pool_name=\"\",le=\"172.8\"} 2");
        assertThat(lines(":tensorflow:serving:batching_session:queuing_latency_sum")).containsExactly(
                ":tensorflow:serving:batching_session:queuing_latency_sum{thread_pool_name=\"\"} 249");
        metrics.batchFormed(32);
        metrics.batchFormed(7);
        assertThat(lines(":tensorflow:serving:batching_session:wrapped_run_count")).containsExactly(
                ":tensorflow:serving:batching_session:wrapped_run_count{} 2");
    }

    @Test
    void warmupReplaysShouldCountByVersionDirectoryAndStatus() {
        metrics.warmupReplayed("/models/m/1", "OK", TimeUnit.MILLISECONDS.toNanos(40));
        metrics.warmupReplayed("/models/m/2", "INVALID_ARGUMENT: bad record", TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(lines(":tensorflow:serving:model_warmup_latency_count")).containsExactly(
                ":tensorflow:serving:model_warmup_latency_count{model_path=\"/models/m/1\",status=\"OK\"} 1",
                ":tensorflow:serving:model_warmup_latency_count{model_path=\"/models/m/2\","
                        + "status=\"INVALID_ARGUMENT: bad record\"} 1");
    }

    @Test
    void examplesShouldCountPerRequestAndInTotalByModelWithTfServingsBuckets() {
        metrics.record("m", 3); // TF Serving's own test: 3 examples land in the third bucket, below 4
        metrics.record("m", 1);
        metrics.record("other", 20_000);
        assertThat(lines(":tensorflow:serving:request_example_count_total{")).containsExactly(
                ":tensorflow:serving:request_example_count_total{model=\"m\"} 4",
                ":tensorflow:serving:request_example_count_total{model=\"other\"} 20000");
        final List<String> buckets = lines(":tensorflow:serving:request_example_counts_bucket{model=\"m\"");
        assertThat(buckets).hasSize(16).startsWith(
                ":tensorflow:serving:request_example_counts_bucket{model=\"m\",le=\"1\"} 0",
                ":tensorflow:serving:request_example_counts_bucket{model=\"m\",le=\"2\"} 1",
                ":tensorflow:serving:request_example_counts_bucket{model=\"m\",le=\"4\"} 2");
        assertThat(buckets.get(14)).isEqualTo(
                ":tensorflow:serving:request_example_counts_bucket{model=\"m\",le=\"16384\"} 2");
        assertThat(lines(":tensorflow:serving:request_example_counts_bucket{model=\"other\",le=\"16384\"}"))
                .containsExactly(":tensorflow:serving:request_example_counts_bucket{model=\"other\",le=\"16384\"} 0");
        assertThat(lines(":tensorflow:serving:request_example_counts_sum{")).containsExactly(
                ":tensorflow:serving:request_example_counts_sum{model=\"m\"} 4",
                ":tensorflow:serving:request_example_counts_sum{model=\"other\"} 20000");
        assertThat(TfServingMetrics.NOT_EXPORTED.exampleCounts()).isSameAs(ExampleCounts.NONE);
    }

    @Test
    void loadAttemptsShouldCountByVersionDirectoryAndTheirTimeOnlyWhenLoaded() {
        metrics.loadAttempted("/models/m/1", true, TimeUnit.MILLISECONDS.toNanos(250));
        metrics.loadAttempted("/models/m/2", false, TimeUnit.MILLISECONDS.toNanos(3));
        assertThat(lines(":tensorflow:cc:saved_model:load_attempt_count{")).containsExactly(
                ":tensorflow:cc:saved_model:load_attempt_count{model_path=\"/models/m/1\",status=\"success\"} 1",
                ":tensorflow:cc:saved_model:load_attempt_count{model_path=\"/models/m/2\",status=\"fail\"} 1");
        assertThat(lines(":tensorflow:cc:saved_model:load_latency{")).containsExactly(
                ":tensorflow:cc:saved_model:load_latency{model_path=\"/models/m/1\"} 250000");
    }

    @Test
    void labelValuesShouldBeEscapedAndEveryFamilyTyped() {
        metrics.loadAttempted("C:\\models\\\"m\"", true, 0);
        assertThat(lines(":tensorflow:cc:saved_model:load_latency{")).containsExactly(
                ":tensorflow:cc:saved_model:load_latency{model_path=\"C:\\\\models\\\\\\\"m\\\"\"} 0");
        assertThat(new TfServingMetrics().exposition().lines().toList()).containsExactly(
                "# TYPE :tensorflow:cc:saved_model:load_attempt_count counter",
                "# TYPE :tensorflow:cc:saved_model:load_latency counter",
                "# TYPE :tensorflow:serving:batching_session:queuing_latency histogram",
                "# TYPE :tensorflow:serving:batching_session:wrapped_run_count counter",
                "# TYPE :tensorflow:serving:model_warmup_latency histogram",
                "# TYPE :tensorflow:serving:request_count counter",
                "# TYPE :tensorflow:serving:request_example_count_total counter",
                "# TYPE :tensorflow:serving:request_example_counts histogram",
                "# TYPE :tensorflow:serving:request_latency histogram",
                "# TYPE :tensorflow:serving:runtime_latency histogram");
    }

    @Test
    void bucketLimitsShouldPrintAsTfServingPrintsThem() {
        assertThat(TfServingMetrics.sixDigits(10)).isEqualTo("10");
        assertThat(TfServingMetrics.sixDigits(58.32)).isEqualTo("58.32");
        assertThat(TfServingMetrics.sixDigits(188.9568)).isEqualTo("188.957");
        assertThat(TfServingMetrics.sixDigits(1101.996)).isEqualTo("1102");
        assertThat(TfServingMetrics.sixDigits(708235.0)).isEqualTo("708235");
        assertThat(TfServingMetrics.sixDigits(1274823.0)).isEqualTo("1.27482e+06");
    }

    @Test
    void metricsThatAreNotExportedShouldRecordNothing() {
        final TfServingMetrics off = TfServingMetrics.NOT_EXPORTED;
        off.requestFinished("m", TfServingApi.PREDICT, Entrypoint.GRPC, StatusCode.OK, 1_000);
        off.record("m", TfServingApi.PREDICT, 1_000);
        off.loadAttempted("/models/m/1", true, 1_000);
        off.queued(1_000);
        off.batchFormed(3);
        off.warmupReplayed("/models/m/1", "OK", 1_000);
        assertThat(off.exposition().lines()).allSatisfy(line -> assertThat(line).startsWith("# TYPE"));
        assertThat(off.runtimeLatency()).isSameAs(RuntimeLatency.NONE);
        assertThat(metrics.runtimeLatency()).isSameAs(metrics);
    }
}
