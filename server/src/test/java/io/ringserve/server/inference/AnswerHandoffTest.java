package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hand-offs to real Netty event executors, counting how often each is asked to run something. */
class AnswerHandoffTest {
    private final CountingEventLoop loop = new CountingEventLoop();
    private final CountingEventLoop other = new CountingEventLoop();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldHandEachEventLoopItsTasksOfABatchInOneExecuteInOrder() throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(5);
        AnswerHandoff.gathering(() -> {
            for (String name : List.of("a1", "b1", "a2", "a3", "b2")) {
                final CountingEventLoop target = name.startsWith("a") ? loop : other;
                AnswerHandoff.to(target).execute(() -> {
                    assertThat(target.inEventLoop()).isTrue();
                    ran.add(name);
                    done.countDown();
                });
            }
            // Nothing reaches an event loop while the batch is still being answered.
            assertThat(loop.executes.get() + other.executes.get()).isZero();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.executes).hasValue(1);
        assertThat(other.executes).hasValue(1);
        assertThat(ran.stream().filter(n -> n.startsWith("a"))).containsExactly("a1", "a2", "a3");
        assertThat(ran.stream().filter(n -> n.startsWith("b"))).containsExactly("b1", "b2");
    }

    @Test
    void shouldExecuteAtOnceOutsideAGathering() throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(2);
        final Executor handoff = AnswerHandoff.to(loop);
        handoff.execute(done::countDown);
        handoff.execute(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.executes).hasValue(2);
    }

    @Test
    void shouldRunInlineWhenAlreadyOnTheEventLoop() throws Exception {
        final String thread = loop.submit(() -> {
            final String[] ranOn = new String[1];
            AnswerHandoff.gathering(() -> AnswerHandoff.to(loop).execute(
                    () -> ranOn[0] = Thread.currentThread().getName()));
            return ranOn[0];
        }).get(10, TimeUnit.SECONDS);
        assertThat(thread).isNotNull();
        assertThat(loop.executes).hasValue(1); // the submit above, nothing more
    }

    @Test
    void shouldKeepRunningTheOtherTasksWhenOneThrows() throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(2);
        AnswerHandoff.gathering(() -> {
            AnswerHandoff.to(loop).execute(done::countDown);
            AnswerHandoff.to(loop).execute(() -> {
                throw new IllegalStateException("a failing answer");
            });
            AnswerHandoff.to(loop).execute(done::countDown);
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldHandOverWhatWasGatheredWhenTheBatchThrows() throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(1);
        assertThatThrownBy(() -> AnswerHandoff.gathering(() -> {
            AnswerHandoff.to(loop).execute(done::countDown);
            throw new IllegalStateException("the batch failed half way");
        })).hasMessage("the batch failed half way");
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldLetTheOuterGatheringHandOverANestedOnesTasks() throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(2);
        AnswerHandoff.gathering(() -> {
            AnswerHandoff.to(loop).execute(done::countDown);
            AnswerHandoff.gathering(() -> AnswerHandoff.to(loop).execute(done::countDown));
            assertThat(loop.executes).hasValue(0);
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.executes).hasValue(1);
    }

    @Test
    void shouldDropTheTasksOfAnEventLoopThatHasShutDown() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        AnswerHandoff.gathering(() -> AnswerHandoff.to(loop).execute(() -> ran.add("never")));
        assertThat(ran).isEmpty();
    }

    @Test
    void shouldFindTheEventLoopOfTheCallingThreadInItsGroup() throws Exception {
        final DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);
        try {
            final EventExecutor member = group.next();
            final boolean inline = member.submit(() -> {
                final Thread caller = Thread.currentThread();
                final Thread[] ranOn = new Thread[1];
                AnswerHandoff.toCurrentLoopOf(group).execute(() -> ranOn[0] = Thread.currentThread());
                return ranOn[0] == caller;
            }).get(10, TimeUnit.SECONDS);
            assertThat(inline).isTrue();
            // Not an event loop of the group: the task runs on the thread that hands it over.
            final Thread[] ranOn = new Thread[1];
            AnswerHandoff.toCurrentLoopOf(group).execute(() -> ranOn[0] = Thread.currentThread());
            assertThat(ranOn[0]).isSameAs(Thread.currentThread());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aDecodeWorkerHandlingALargeMessageShouldBeFoundToo() throws Exception {
        final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        final io.netty.util.concurrent.DefaultEventExecutorGroup workers =
                new io.netty.util.concurrent.DefaultEventExecutorGroup(1);
        try {
            final EventExecutor worker = workers.next();
            final Executor answers = worker.submit(() -> AnswerHandoff.toCurrentLoopOf(loops, workers))
                    .get(10, TimeUnit.SECONDS);
            // Completed by a batch thread inside its gathering: handed to the worker, not run on the batch thread.
            final java.util.concurrent.CompletableFuture<Thread> ranOn = new java.util.concurrent.CompletableFuture<>();
            final Thread batchThread = new Thread(() -> AnswerHandoff.gathering(
                    () -> answers.execute(() -> ranOn.complete(Thread.currentThread()))));
            batchThread.start();
            final Thread workerThread = worker.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
            assertThat(ranOn.get(10, TimeUnit.SECONDS)).isSameAs(workerThread);
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
