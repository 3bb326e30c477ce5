package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.ringserve.models.HostTensor;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Large answers are built on a worker; what building throws reaches the future. */
class AnswerPlacementTest {
    private final DefaultEventExecutorGroup workers = new DefaultEventExecutorGroup(1);
    private final AnswerPlacement placement = new AnswerPlacement(workers, 1000);

    @AfterEach
    void stop() throws InterruptedException {
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void shouldBuildLargeAnswersOnAWorker() throws Exception {
        final Thread workerThread = workers.next().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        assertThat(placement.isLarge(999)).isFalse();
        assertThat(placement.isLarge(1000)).isTrue();
        assertThat(placement.buildOnWorker(Thread::currentThread).get(10, TimeUnit.SECONDS)).isSameAs(workerThread);
    }

    @Test
    void shouldCompleteTheFutureWithWhatBuildingThrows() {
        assertThatThrownBy(() -> placement.buildOnWorker(() -> {
            throw new IllegalStateException("cannot encode");
        }).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasMessageContaining("cannot encode");
    }

    @Test
    void shouldCountTheBytesTheAnswerIsWrittenFrom() {
        assertThat(AnswerPlacement.bytesOf(Map.of("y", HostTensor.ofFloats(new long[] {3}, 1, 2, 3),
                "ids", HostTensor.ofLongs(new long[] {2}, 7, 8),
                "tags", HostTensor.ofStrings(new long[] {2}, new byte[][] {{1}, {2}})))).isEqualTo(12 + 16 + 16);
    }
}
