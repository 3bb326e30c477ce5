package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class StatusCodeTest {
    @Test
    void shouldFindEachCodeByItsGrpcNumber() {
        for (Status.Code grpc : Status.Code.values()) {
            final StatusCode code = StatusCode.of(grpc.value());
            assertThat(code.number()).isEqualTo(grpc.value());
            assertThat(code.name()).isEqualTo(grpc.name());
        }
        assertThat(StatusCode.of(17)).isEqualTo(StatusCode.UNKNOWN);
        assertThat(StatusCode.of(-1)).isEqualTo(StatusCode.UNKNOWN);
    }

    @Test
    void aRestAnswersStatusShouldStandForTheCodeAnsweredWithIt() {
        assertThat(StatusCode.ofHttpStatus(200)).isEqualTo(StatusCode.OK);
        assertThat(StatusCode.ofHttpStatus(400)).isEqualTo(StatusCode.INVALID_ARGUMENT);
        assertThat(StatusCode.ofHttpStatus(404)).isEqualTo(StatusCode.NOT_FOUND);
        assertThat(StatusCode.ofHttpStatus(500)).isEqualTo(StatusCode.INTERNAL);
        assertThat(StatusCode.ofHttpStatus(503)).isEqualTo(StatusCode.UNAVAILABLE);
        assertThat(StatusCode.ofHttpStatus(504)).isEqualTo(StatusCode.DEADLINE_EXCEEDED);
        assertThat(StatusCode.ofHttpStatus(413)).as("another 4xx").isEqualTo(StatusCode.INVALID_ARGUMENT);
        assertThat(StatusCode.ofHttpStatus(502)).as("another 5xx").isEqualTo(StatusCode.INTERNAL);
        for (StatusCode code : StatusCode.values()) {
            assertThat(StatusCode.ofHttpStatus(code.httpStatus()).httpStatus()).as(code.name())
                    .isEqualTo(code.httpStatus());
        }
    }
}
