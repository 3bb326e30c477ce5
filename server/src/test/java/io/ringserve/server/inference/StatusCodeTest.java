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
}
