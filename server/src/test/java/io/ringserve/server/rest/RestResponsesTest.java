package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.ringserve.server.codec.JsonFactories;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class RestResponsesTest {
    private final RestResponses responses = new RestResponses(JsonFactories.tfServing(1 << 20));

    @ParameterizedTest
    @EnumSource(value = StatusCode.class, names = "OK", mode = EnumSource.Mode.EXCLUDE)
    void shouldMapEveryCodeToTfServingsHttpStatus(final StatusCode code) {
        final FullHttpResponse response = responses.error(ByteBufAllocator.DEFAULT,
                new ServingException(code, "what \"went\" wrong"));
        try {
            assertThat(response.status().code()).isEqualTo(code.httpStatus());
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(response.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"error\":\"what \\\"went\\\" wrong\"}");
            assertThat(response.headers().contains(HttpHeaderNames.RETRY_AFTER))
                    .isEqualTo(code == StatusCode.UNAVAILABLE);
        } finally {
            response.release();
        }
    }

    @Test
    void shouldAnswerUnexpectedFailuresAs500AndUnwrapCompletionExceptions() {
        final FullHttpResponse internal = responses.error(ByteBufAllocator.DEFAULT, new IllegalStateException("x"));
        final FullHttpResponse wrapped = responses.error(ByteBufAllocator.DEFAULT,
                new CompletionException(ServingException.notFound("gone")));
        try {
            assertThat(internal.status().code()).isEqualTo(500);
            assertThat(wrapped.status().code()).isEqualTo(404);
            assertThat(wrapped.content().toString(StandardCharsets.UTF_8)).contains("gone");
        } finally {
            internal.release();
            wrapped.release();
        }
    }

    @Test
    void shouldAnswerAMethodAPathIsNotServedWith405ListingTheOnesItIsInAllow() {
        final FullHttpResponse response = responses.error(ByteBufAllocator.DEFAULT, new CompletionException(
                new RestResponses.MethodNotAllowedException(HttpMethod.POST, "/v2/health/ready",
                        List.of(HttpMethod.GET, HttpMethod.HEAD))));
        try {
            assertThat(response.status().code()).isEqualTo(405);
            assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(response.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"error\":\"POST /v2/health/ready is not served; use GET, HEAD\"}");
        } finally {
            response.release();
        }
    }
}
