package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RecommendationTest {
    private static LoadResult load(final long p99Micros, final double rps, final long rejected) {
        final Histogram latency = new Histogram(3);
        for (int i = 0; i < 100; i++) {
            latency.recordValue(p99Micros);
        }
        return new LoadResult("x", (long) rps, rejected, 1, 1, latency, rejected, 0, rps, 0);
    }

    @Test
    void shouldPickTheHighestConcurrencyThatMeetsTheSlo() {
        final List<LoadResult> results = List.of(load(5_000, 500, 0), load(8_000, 1800, 0), load(19_000, 3000, 0),
                load(60_000, 3200, 0), load(90_000, 3300, 12));
        final Recommendation r = Recommendation.from(List.of(1, 4, 16, 64, 128), results, 20_000).orElseThrow();
        assertThat(r.knee()).isEqualTo(16);
        assertThat(r.kneeThroughput()).isEqualTo(3000);
        // The pod still answered everything at 64 in flight; at 128 it shed load.
        assertThat(r.containerConcurrency()).isEqualTo(64);
    }

    @Test
    void aLoadThatMetTheSloAgainAfterAMissShouldNotMoveTheKneePastTheMiss() {
        // In run order 64 first: sorted, 16 misses (a batch timeout at low load, noise) and 64 meets it again.
        final Recommendation r = Recommendation.from(List.of(64, 4, 16), List.of(load(18_000, 3000, 0),
                load(8_000, 1800, 0), load(25_000, 2000, 0)), 20_000).orElseThrow();
        assertThat(r.knee()).isEqualTo(4);
        assertThat(r.atLeast()).isFalse();
    }

    @Test
    void aLoadWithNoAnswerShouldNotMeetTheSlo() {
        final LoadResult stalled = new LoadResult("x", 0, 0, 1, 1, new Histogram(3), 0, 0, 0, 0);
        final Recommendation r = Recommendation.from(List.of(1, 64), List.of(load(5_000, 500, 0), stalled), 20_000)
                .orElseThrow();
        assertThat(r.knee()).isEqualTo(1);
        assertThat(r.containerConcurrency()).isEqualTo(1);
    }

    @Test
    void whenEveryLoadMeetsTheSloTheKneeShouldBeALowerBound() {
        final Recommendation r = Recommendation.from(List.of(1, 4), List.of(load(5_000, 500, 0),
                load(6_000, 1800, 0)), 20_000).orElseThrow();
        assertThat(r.knee()).isEqualTo(4);
        assertThat(r.atLeast()).isTrue();
    }

    @Test
    void shouldSayWhenNothingMeetsTheSlo() {
        assertThat(Recommendation.from(List.of(1, 2), List.of(load(30_000, 10, 0), load(40_000, 20, 0)), 20_000))
                .isEmpty();
    }
}
