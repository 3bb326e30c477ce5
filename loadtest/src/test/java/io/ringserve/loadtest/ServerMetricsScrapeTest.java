package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerMetricsScrapeTest {
    @Test
    void shouldSumSeriesAndDescribeTheDifference() {
        final ServerMetricsScrape before = ServerMetricsScrape.parse("""
                # HELP inference_batch_size_rows Rows per batch
                inference_batch_size_rows_count{model="a",signature="s",version="1"} 10
                inference_batch_size_rows_sum{model="a",signature="s",version="1"} 40
                inference_queue_duration_seconds_count{model="a",signature="s",version="1"} 40
                inference_queue_duration_seconds_sum{model="a",signature="s",version="1"} 0.04
                inference_requests_inflight 3.0
                """);
        final ServerMetricsScrape after = ServerMetricsScrape.parse("""
                inference_batch_size_rows_count{model="a",signature="s",version="1"} 20
                inference_batch_size_rows_sum{model="a",signature="s",version="1"} 240
                inference_batch_size_rows_count{model="b",signature="s",version="1"} 10
                inference_batch_size_rows_sum{model="b",signature="s",version="1"} 100
                inference_queue_duration_seconds_count{model="a",signature="s",version="1"} 100
                inference_queue_duration_seconds_sum{model="a",signature="s",version="1"} 0.16
                inference_requests_inflight 0.0
                """);
        assertThat(after.batchCount()).isEqualTo(30);
        assertThat(after.meanBatchRowsSince(before)).isEqualTo(15.0);
        assertThat(after.meanBatchRowsSince(after)).isZero();
        assertThat(after.describeSince(before)).isEqualTo(
                "server: mean batch 15.0 rows over 20 batches, mean queue wait 2.00 ms, in flight now 0");
    }
}
