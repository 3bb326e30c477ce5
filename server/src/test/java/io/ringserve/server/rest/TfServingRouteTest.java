package io.ringserve.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.server.inference.ModelSelector;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import io.ringserve.server.rest.TfServingRoute.Kind;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TfServingRouteTest {
    static Stream<Arguments> validRoutes() {
        return Stream.of(
                route("GET", "/v1/models/foo", Kind.STATUS, "foo", null, null),
                route("GET", "/v1/models/foo/versions/123", Kind.STATUS, "foo", 123L, null),
                route("GET", "/v1/models/foo/versions/007", Kind.STATUS, "foo", 7L, null),
                route("GET", "/v1/models/foo/labels/stable", Kind.STATUS, "foo", null, "stable"),
                route("GET", "/v1/models/foo/metadata", Kind.METADATA, "foo", null, null),
                route("GET", "/v1/models/foo/versions/9/metadata", Kind.METADATA, "foo", 9L, null),
                route("GET", "/v1/models/foo/labels/canary/metadata", Kind.METADATA, "foo", null, "canary"),
                route("POST", "/v1/models/foo:predict", Kind.PREDICT, "foo", null, null),
                route("POST", "/v1/models/foo:classify", Kind.CLASSIFY, "foo", null, null),
                route("POST", "/v1/models/foo:regress", Kind.REGRESS, "foo", null, null),
                route("POST", "/v1/models/foo/versions/50:predict", Kind.PREDICT, "foo", 50L, null),
                route("POST", "/v1/models/foo/versions/9223372036854775807:classify", Kind.CLASSIFY, "foo",
                        Long.MAX_VALUE, null),
                route("POST", "/v1/models/foo/labels/stable:regress", Kind.REGRESS, "foo", null, "stable"),
                route("POST", "/v1/models/half_plus_two.v-2:predict", Kind.PREDICT, "half_plus_two.v-2", null,
                        null),
                // URL-decoded names and labels, '+' kept as is (curl_easy_unescape does not treat it as a space)
                route("GET", "/v1/models/my%20model", Kind.STATUS, "my model", null, null),
                route("POST", "/v1/models/a%2Bb:predict", Kind.PREDICT, "a+b", null, null),
                route("POST", "/v1/models/a+b:predict", Kind.PREDICT, "a+b", null, null),
                route("GET", "/v1/models/caf%C3%A9/metadata", Kind.METADATA, "caf\u00e9", null, null),
                route("GET", "/v1/models/a%2Fb/labels/x%3Ay", Kind.STATUS, "a/b", null, "x:y"),
                route("POST", "/v1/models/m/labels/my%20label:classify", Kind.CLASSIFY, "m", null, "my label"),
                // the path is case-insensitive, the verb and "metadata" are not; the name keeps its case
                route("POST", "/V1/MODELS/Foo/VERSIONS/3:predict", Kind.PREDICT, "Foo", 3L, null),
                route("POST", "/v1/Models/foo/Labels/Stable:regress", Kind.REGRESS, "foo", null, "Stable"),
                route("GET", "/V1/Models/Foo", Kind.STATUS, "Foo", null, null),
                route("GET", "/v1/MODELS/foo/VERSIONS/2/metadata", Kind.METADATA, "foo", 2L, null));
    }

    private static Arguments route(final String method, final String path, final Kind kind, final String name,
                                   final Long version, final String label) {
        return Arguments.of(method, path, kind, new ModelSelector(name,
                version == null ? OptionalLong.empty() : OptionalLong.of(version), Optional.ofNullable(label)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("validRoutes")
    void shouldParseValidRoutes(final String method, final String path, final Kind kind,
                                final ModelSelector model) {
        final TfServingRoute route = TfServingRoute.parse(method, path);
        assertThat(route.kind()).isEqualTo(kind);
        assertThat(route.model()).isEqualTo(model);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ' ', value = {
        // the examples TF Serving's own tests reject
        "GET /v1/foo",
        "POST /v1/models",
        "GET /v1/models/foo:predict",
        "POST /v1/models/foo/version/50:predict",
        "POST /v1/models/foo/versions/HELLO:regress",
        "POST /v1/models/foo/metadata",
        "POST /v1/models/foo/label/x:regress",
        "POST /v1/models/foo/versions/50/labels/x:regress",
        "POST /V1/MODELS/m:PREDICT",
        // further shapes the grammar does not allow
        "POST /v1/models/foo:Predict",
        "POST /v1/models/foo:explain",
        "POST /v1/models/foo",
        "POST /v1/models/foo/versions/-1:predict",
        "POST /v1/models/foo/versions/:predict",
        "POST /v1/models/foo/labels/:predict",
        "POST /v1/models/foo:predict/",
        "GET /V1/MODELS/m/METADATA",
        "GET /v1/models/foo/Metadata",
        "GET /v1/models/",
        "GET /v1/models/foo/",
        "GET /v1/models/foo/versions/50/labels/x",
        "GET /v1/models/foo/versions/1.5",
        "GET /v1/models/foo/bar",
        "GET /v1/models/foo/metadata/",
        "GET /v1/models/foo:predict/metadata",
        "PUT /v1/models/foo",
        "DELETE /v1/models/foo",
        "GET /v1/modelsfoo",
        "PATCH /v1/models/foo:predict",
    })
    void shouldRejectMalformedRoutes(final String method, final String path) {
        assertThatThrownBy(() -> TfServingRoute.parse(method, path))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessage("Malformed request: " + method + " " + path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/models", "/V1/MODELS", "/v1/models/versions/3", "/v1/models/labels/x/metadata"})
    void shouldRequireAModelName(final String path) {
        assertThatThrownBy(() -> TfServingRoute.parse("GET", path))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessage("Missing model name in request.");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ' ', value = {
        "POST /v1/models/foo/versions/9223372036854775808:predict 9223372036854775808",
        "GET /v1/models/foo/versions/99999999999999999999 99999999999999999999",
        "GET /v1/models/foo/versions/123456789012345678901234567890/metadata 123456789012345678901234567890",
    })
    void shouldRejectVersionsThatOverflowInt64(final String method, final String path, final String version) {
        assertThatThrownBy(() -> TfServingRoute.parse(method, path))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessage("Failed to convert version: " + version + " to numeric.");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = ' ', value = {
        // curl_easy_unescape decodes only %XX with two hex digits and copies anything else as it is
        "GET /v1/models/foo%zz foo%zz",
        "GET /v1/models/100% 100%",
        "GET /v1/models/a%2 a%2",
        "POST /v1/models/a%g1%41:predict a%g1A",
    })
    void shouldKeepInvalidPercentEscapesAsTheyAre(final String method, final String path, final String name) {
        assertThat(TfServingRoute.parse(method, path).model().name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/", "/v1/models", "/V1/models/foo", "/v1/anything/else", "/v1/models/foo:predict"})
    void shouldHandleV1Paths(final String path) {
        assertThat(TfServingRoute.handles(path)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/v1", "/v2/models/foo", "/v10/models", "/healthz", "v1/models/foo"})
    void shouldNotHandleOtherPaths(final String path) {
        assertThat(TfServingRoute.handles(path)).isFalse();
    }
}
