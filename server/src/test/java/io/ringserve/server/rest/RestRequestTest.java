package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.ringserve.server.inference.ServingException;
import org.junit.jupiter.api.Test;

class RestRequestTest {
    @Test
    void shouldDecodeThePathWithoutTheQueryAndParseTheRouteOnceForRouterAndObserver() {
        final RestRequest request = request(HttpMethod.POST, "/v1/models/m%20x/versions/3:predict?trace=1");

        assertThat(request.path()).isEqualTo("/v1/models/m%20x/versions/3:predict");
        assertThat(request.isTfServing()).isTrue();
        final TfServingRoute route = request.tfServingRoute();
        assertThat(route.kind()).isEqualTo(TfServingRoute.Kind.PREDICT);
        assertThat(route.model().name()).isEqualTo("m x");
        assertThat(route.model().version()).hasValue(3);
        assertThat(request.tfServingRoute()).isSameAs(route);
    }

    @Test
    void shouldThrowTheSameErrorEachTimeForAMalformedRoute() {
        final RestRequest request = request(HttpMethod.GET, "/v1/models/m:predict");

        final Throwable first = catchThrowable(request::tfServingRoute);
        assertThat(first).isInstanceOf(ServingException.class)
                .hasMessage("Malformed request: GET /v1/models/m:predict");
        assertThat(catchThrowable(request::tfServingRoute)).isSameAs(first);
    }

    @Test
    void shouldTellOtherPathsFromTfServingsApi() {
        assertThat(request(HttpMethod.GET, "/v2/health/ready").isTfServing()).isFalse();
        assertThat(request(HttpMethod.GET, "/metrics?x=/v1/").isTfServing()).isFalse();
        assertThat(request(HttpMethod.GET, "/V1/models/m").isTfServing()).isTrue();
    }

    private static RestRequest request(final HttpMethod method, final String uri) {
        return new RestRequest(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
    }
}
