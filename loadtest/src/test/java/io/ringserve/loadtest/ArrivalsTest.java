package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ArrivalsTest {
    @Test
    void constantShouldSpaceRequestsEvenly() {
        final Arrivals arrivals = Arrivals.constant(250);
        assertThat(arrivals.nextGapNanos()).isEqualTo(4_000_000);
        assertThat(arrivals.nextGapNanos()).isEqualTo(4_000_000);
    }

    @Test
    void poissonShouldHaveTheAskedMeanAndRepeatWithItsSeed() {
        final Arrivals arrivals = Arrivals.poisson(1000, 7);
        final Arrivals again = Arrivals.poisson(1000, 7);
        double sum = 0;
        double sumSquares = 0;
        final int n = 200_000;
        for (int i = 0; i < n; i++) {
            final long gap = arrivals.nextGapNanos();
            assertThat(again.nextGapNanos()).isEqualTo(gap);
            sum += gap;
            sumSquares += (double) gap * gap;
        }
        final double mean = sum / n;
        assertThat(mean).isCloseTo(1_000_000, within(10_000.0));
        // Exponential gaps: the standard deviation equals the mean.
        assertThat(Math.sqrt(sumSquares / n - mean * mean)).isCloseTo(1_000_000, within(20_000.0));
    }

    @Test
    void shouldRefuseARateThatIsNotPositive() {
        assertThatThrownBy(() -> Arrivals.constant(0)).hasMessageContaining("rate");
        assertThatThrownBy(() -> Arrivals.poisson(-1, 1)).hasMessageContaining("rate");
    }
}
