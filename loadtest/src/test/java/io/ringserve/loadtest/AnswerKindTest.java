package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Answers are counted by what the server said, not by what the client's transport made of a failure. */
class AnswerKindTest {
    @Test
    void unavailableFromTheServerShouldBeARejectionAndFromTheTransportNoAnswer() {
        assertThat(AnswerKind.ofGrpc(Status.UNAVAILABLE.withDescription("queue full"))).isEqualTo(AnswerKind.REJECTED);
        assertThat(AnswerKind.ofGrpc(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused")))).isEqualTo(AnswerKind.OTHER);
        assertThat(AnswerKind.ofGrpc(Status.OK)).isEqualTo(AnswerKind.OK);
        assertThat(AnswerKind.ofGrpc(Status.DEADLINE_EXCEEDED)).isEqualTo(AnswerKind.EXPIRED);
        assertThat(AnswerKind.ofGrpc(Status.INVALID_ARGUMENT)).isEqualTo(AnswerKind.OTHER);
        assertThat(AnswerKind.ofHttpStatus(503)).isEqualTo(AnswerKind.REJECTED);
    }
}
