package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Answering a call from its future: whatever building or sending the answer throws, the call is closed. */
class GrpcCallsTest {
    /** Notes what the call was sent; optionally fails on onNext, as a transport refusing a message would. */
    private static final class RecordingObserver implements StreamObserver<String> {
        final List<String> sent = new ArrayList<>();
        final boolean failOnNext;

        RecordingObserver(final boolean failOnNext) {
            this.failOnNext = failOnNext;
        }

        @Override
        public void onNext(final String value) {
            if (failOnNext) {
                throw new IllegalStateException("the message cannot be sent");
            }
            sent.add("next " + value);
        }

        @Override
        public void onError(final Throwable t) {
            sent.add("error " + Status.fromThrowable(t).getCode() + " " + ((StatusRuntimeException) t).getStatus()
                    .getDescription());
        }

        @Override
        public void onCompleted() {
            sent.add("completed");
        }
    }

    @Test
    void shouldSendTheAnswerThenComplete() {
        final RecordingObserver observer = new RecordingObserver(false);
        GrpcCalls.answer(CompletableFuture.completedFuture(2), observer, v -> "y=" + v, Runnable::run);
        assertThat(observer.sent).containsExactly("next y=2", "completed");
    }

    @Test
    void anErrorBuildingTheAnswerShouldCloseTheCall() {
        final RecordingObserver observer = new RecordingObserver(false);
        GrpcCalls.answer(CompletableFuture.completedFuture(2), observer, v -> {
            throw new OutOfMemoryError("Java heap space (a test's)");
        }, Runnable::run);
        assertThat(observer.sent).singleElement().asString().startsWith("error INTERNAL")
                .contains("OutOfMemoryError");
    }

    @Test
    void aFailureSendingTheAnswerShouldCloseTheCall() {
        final RecordingObserver observer = new RecordingObserver(true);
        GrpcCalls.answer(CompletableFuture.completedFuture(2), observer, v -> "y=" + v, Runnable::run);
        assertThat(observer.sent).singleElement().asString().startsWith("error INTERNAL")
                .contains("the message cannot be sent");
    }
}
