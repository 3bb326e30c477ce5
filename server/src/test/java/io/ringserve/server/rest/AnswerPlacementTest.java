package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.ringserve.models.HostTensor;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Small answers are built on the request's event loop, large ones on a worker; failures reach the future. */
class AnswerPlacementTest {
    private final DefaultEventExecutorGroup workers = new DefaultEventExecutorGroup(1);
    private final EventExecutor loop = new DefaultEventExecutor();
    private final AnswerPlacement placement = new AnswerPlacement(workers, 1000);

    @AfterEach
    void stop() throws InterruptedException {
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Thread builtOn(final long answerBytes) throws Exception {
        return AnswerPlacement.buildOn(placement.executorFor(loop, answerBytes), Thread::currentThread)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldBuildSmallAnswersOnTheEventLoopAndLargeOnesOnAWorker() throws Exception {
        final Thread loopThread = loop.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        final Thread workerThread = workers.next().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        assertThat(builtOn(999)).isSameAs(loopThread);
        assertThat(builtOn(1000)).isSameAs(workerThread);
    }

    @Test
    void shouldCompleteTheFutureWithWhatBuildingThrows() {
        assertThatThrownBy(() -> AnswerPlacement.buildOn(placement.executorFor(loop, 5000), () -> {
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
