package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class IntendedTimeRecorderTest {
    private final AtomicLong now = new AtomicLong();
    private final IntendedTimeRecorder recorder = new IntendedTimeRecorder(now::get);

    private static long ms(final long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /**
     * Ten requests due every 10 ms while the server stalls for 100 ms, then answers everything at once: measured
     * from their due times they waited 100, 90, ... 10 ms. A generator that only timed requests it managed to send
     * would report one slow request and hide the other nine.
     */
    @Test
    void shouldChargeAStallToEveryRequestThatWasDueDuringIt() {
        now.set(ms(100));
        for (int i = 0; i < 10; i++) {
            recorder.answered(ms(i * 10L));
        }
        final Histogram latencies = recorder.latencies();
        assertThat(latencies.getTotalCount()).isEqualTo(10);
        assertThat(latencies.getMaxValue()).isBetween(99_900L, 100_100L);
        assertThat(latencies.getValueAtPercentile(50)).isBetween(49_900L, 50_100L);
        assertThat(latencies.getMinValue()).isBetween(9_990L, 10_010L);
    }

    @Test
    void shouldReportHowLateTheGeneratorSent() {
        now.set(ms(5));
        recorder.sent(ms(5));
        recorder.sent(ms(2));
        final Histogram lag = recorder.sendLag();
        assertThat(lag.getMaxValue()).isBetween(2_990L, 3_010L);
        assertThat(lag.getMinValue()).isZero();
        assertThat(recorder.sendLag().getTotalCount()).as("the interval resets").isZero();
    }
}
