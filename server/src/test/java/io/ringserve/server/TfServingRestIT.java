package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringserve.server.rest.RestRequestHandler;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TF Serving's documented REST cases against the real server on a free port, serving TF Serving's own
 * {@code saved_model_half_plus_two_cpu} as model {@code default}.
 */
class TfServingRestIT {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static RunningServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = RunningServer.serving(List.of(
                new ModelConfig("default", RunningServer.tfServingTestData("saved_model_half_plus_two_cpu")),
                new ModelConfig("two_versions", RunningServer.tfServingTestData("saved_model_half_plus_two_2_versions"))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(final HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        return JSON.readTree(response.body());
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderAlsoPastWhatAConnectionQueues() throws IOException {
        // 200 requests in one write: far more than a connection holds queued before it stops reading for a while.
        final StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            final String body = "{\"instances\": [" + i + "]}";
            requests.append("POST /v1/models/default:predict HTTP/1.1\r\nHost: ringserve\r\nContent-Length: ")
                    .append(body.length()).append("\r\n\r\n").append(body);
        }
        try (RawHttpConnection connection = new RawHttpConnection(server.server().restPort())) {
            connection.send(requests.toString());
            for (int i = 0; i < 200; i++) {
                final RawHttpConnection.Response response = connection.read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).as("answer %d", i).isEqualTo("{\"predictions\":[" + (i / 2.0 + 2)
                        + "]}");
            }
        }
    }

    @Test
    void shouldAnswerARequestLargeEnoughToBeDecodedOffTheEventLoop() throws IOException {
        final StringBuilder body = new StringBuilder("{\"instances\": [0");
        for (int i = 1; i < 100_000; i++) {
            body.append(',').append(i);
        }
        body.append("]}");
        assertThat(body.length()).isGreaterThan(RestRequestHandler.DEFAULT_OFFLOAD_BYTES);
        final HttpResponse<String> response = server.post("/v1/models/default:predict", body.toString());
        assertThat(response.statusCode()).isEqualTo(200);
        final JsonNode predictions = json(response).get("predictions");
        assertThat(predictions.size()).isEqualTo(100_000);
        assertThat(predictions.get(99_999).doubleValue()).isEqualTo(99_999 / 2.0 + 2);
        final HttpResponse<String> bad = server.post("/v1/models/default:predict",
                body.toString().replace("[0,", "[\"zero\","));
        assertThat(bad.statusCode()).as("its errors too").isEqualTo(400);
    }

    @Test
    void shouldAnswerASmallRequestWithALargeAnswer() throws IOException {
        // 30,000 ones: a body of 60 KB, decoded on the event loop; an answer of 120 KB of floats, built on a worker.
        final String body = "{\"instances\": [" + "1,".repeat(29_999) + "1]}";
        assertThat(body.length()).isLessThan(RestRequestHandler.DEFAULT_OFFLOAD_BYTES);
        final HttpResponse<String> response = server.post("/v1/models/default:predict", body);
        assertThat(response.statusCode()).isEqualTo(200);
        final JsonNode predictions = json(response).get("predictions");
        assertThat(predictions.size()).isEqualTo(30_000);
        assertThat(predictions.get(29_999).doubleValue()).isEqualTo(2.5);
    }

    @Test
    void shouldPredictInRowFormat() throws IOException {
        final HttpResponse<String> response = server.post("/v1/models/default:predict",
                "{\"instances\": [[1.0], [2.0], [5.0]]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(JSON.readTree("{\"predictions\": [[2.5], [3.0], [4.5]]}"));
    }

    @Test
    void shouldPredictTfServingsFlatExampleThroughTheIdentityInput() throws IOException {
        // TF Serving's own tests feed shape [3] to the [-1,1] signature: x is an Identity, so TensorFlow accepts it.
        final HttpResponse<String> response = server.post("/v1/models/default:predict",
                "{\"instances\": [1.0, 2.0, 5.0]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"));
    }

    @Test
    void shouldPredictInColumnarFormat() throws IOException {
        final HttpResponse<String> response = server.post("/v1/models/default/versions/123:predict",
                "{\"signature_name\": \"serving_default\", \"inputs\": {\"x\": [[1.0], [2.0]]}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(JSON.readTree("{\"outputs\": [[2.5], [3.0]]}"));
    }

    @Test
    void shouldRunANamedSignature() throws IOException {
        final HttpResponse<String> response = server.post("/v1/models/default:predict",
                "{\"signature_name\": \"regress_x2_to_y3\", \"instances\": [[1.0]]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(JSON.readTree("{\"predictions\": [[3.5]]}"));
    }

    @Test
    void shouldAnswerTheModelStatus() throws IOException {
        final HttpResponse<String> response = server.get("/v1/models/default");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(JSON.readTree("{\"model_version_status\": [{\"version\": \"123\", "
                + "\"state\": \"AVAILABLE\", \"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}"));
        assertThat(json(server.get("/v1/models/default/versions/123")))
                .isEqualTo(json(response));
    }

    @Test
    void shouldServeTheNewestVersion() throws IOException {
        assertThat(json(server.get("/v1/models/two_versions")).at("/model_version_status/0/version").asText())
                .isEqualTo("124");
        assertThat(server.post("/v1/models/two_versions/versions/124:predict", "{\"instances\": [[2.0]]}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswerMetadataEqualToTfServings() throws IOException {
        final HttpResponse<String> response = server.get("/v1/models/default/metadata");
        assertThat(response.statusCode()).isEqualTo(200);
        final JsonNode expected = JSON.readTree(Files.readString(RunningServer.tfServingTestData("_expected_json")
                .resolve("half_plus_two_model_metadata.json")));
        assertThat(json(response)).isEqualTo(expected);
        assertThat(json(server.get("/v1/models/default/versions/123/metadata"))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(delimiter = '|', value = {
        "POST|/v1/models/default:predict|{\"instances\": [1.0, 2.0|400|JSON Parse error",
        "POST|/v1/models/default:predict||400|JSON Parse error: The document is empty",
        "POST|/v1/models/default:predict|[1, 2]|400|must be a JSON object, found [",
        "POST|/v1/models/default:classify|[1, 2]|400|must be a JSON object, found [",
        "POST|/v1/models/default:regress||400|JSON Parse error: The document is empty",
        "POST|/v1/models/default:regress|{\"signature_name\": [], \"examples\": [{\"x\": 1.0}]}|400|'signature_name' key must be a string value.",
        "POST|/v1/models/default:predict|{\"instances\": [[1.0]], \"inputs\": [[1.0]]}|400|only one of 'inputs' or 'instances'",
        "POST|/v1/models/default:predict|{\"signature_name\": \"serving_default\"}|400|Missing 'inputs' or 'instances' key",
        "POST|/v1/models/default:predict|{\"instances\": [[1.0], [2.0, 3.0]]}|400|ragged",
        "POST|/v1/models/default:predict|{\"instances\": [\"a\"]}|400|is not of expected type: float",
        "POST|/v1/models/default:predict|{\"instances\": [true]}|400|Type: True is not of expected type: float",
        "POST|/v1/models/default:predict|{\"signature_name\": \"classify_x_to_y\", \"instances\": [{\"b64\": \"%%%\"}]}|400|Unable to base64 decode",
        "POST|/v1/models/default:predict|{\"signature_name\": 7, \"instances\": [1.0]}|400|'signature_name' key must be a string value.",
        "POST|/v1/models/default:predict|{\"signature_name\": \"nope\", \"instances\": [1.0]}|400|Serving signature name: \"nope\" not found in signature def",
        "POST|/v1/models/unknown:predict|{\"instances\": [1.0]}|404|Servable not found for request: Latest(unknown)",
        "POST|/v1/models/default/versions/999:predict|{\"instances\": [1.0]}|404|Servable not found for request: Specific(default, 999)",
        "POST|/v1/models/default/labels/stable:predict|{\"instances\": [1.0]}|400|Unrecognized servable version label: stable",
        "POST|/v1/models/default/version/1:predict|{\"instances\": [1.0]}|400|Malformed request: POST /v1/models/default/version/1:predict",
        "GET|/v1/models/unknown||404|Could not find any versions of model unknown",
        "GET|/v1/models/default/versions/7||404|Could not find version 7 of model default",
        "GET|/v1/models/unknown/metadata||404|Servable not found for request: Latest(unknown)",
        "GET|/v1/models||400|Missing model name in request.",
        "POST|/v1/models/default:predict|{\"instances\": [[1.0]], \"signature_name\": \"regress_x_to_y\"}|400|is not of expected type: string",
    })
    void shouldAnswerErrorsWithTheDocumentedStatusAndKeepServing(final String method, final String path,
                                                                 final String body, final int status,
                                                                 final String message) throws IOException {
        final HttpResponse<String> response = "GET".equals(method) ? server.get(path)
                : server.post(path, body == null ? "" : body);
        assertThat(response.statusCode()).isEqualTo(status);
        final JsonNode error = json(response);
        assertThat(error.fieldNames()).toIterable().containsExactly("error");
        assertThat(error.get("error").asText()).contains(message);
        assertThat(server.post("/v1/models/default:predict", "{\"instances\": [[1.0]]}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldClassifyAndRegressExamplesAsTfServingDoes() throws IOException {
        final HttpResponse<String> classify = server.post("/v1/models/default:classify",
                "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 1.0}, {\"x\": [5.0]}]}");
        assertThat(classify.statusCode()).as(classify.body()).isEqualTo(200);
        assertThat(json(classify)).isEqualTo(JSON.readTree("{\"results\": [[[\"\", 2.5]], [[\"\", 4.5]]]}"));
        final HttpResponse<String> regress = server.post("/v1/models/default/versions/123:regress",
                "{\"signature_name\": \"regress_x_to_y2\", \"examples\": [{\"x\": 1.0}]}");
        assertThat(json(regress)).isEqualTo(JSON.readTree("{\"results\": [3.5]}"));
        final HttpResponse<String> withContext = server.post("/v1/models/default:regress",
                "{\"signature_name\": \"regress_x_to_y\", \"context\": {\"x\": 2.0}, "
                        + "\"examples\": [{}, {\"x\": 4.0}]}");
        assertThat(json(withContext)).isEqualTo(JSON.readTree("{\"results\": [3.0, 4.0]}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"signature_name\": \"regress_x_to_y\"}|When method is classify, key 'examples' is expected and was not found",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": {}}|Expecting 'examples' value to be an list/array",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": []}|'examples' value is an empty array",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [1]}|Example must be JSON object but got JSON Number",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": [1, 2.5]}]}|Unexpected element type in feature: x expecting type: int64",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": null}]}|has element with unexpected JSON type: Null",
        "{\"signature_name\": \"nope\", \"examples\": [{\"x\": 1.0}]}|No signature was found with the name: nope",
        "{\"examples\": [{\"x\": 1.0}]}|Expected one input tensor named 'inputs'",
    })
    void shouldRejectBadRegressRequests(final String body, final String message) throws IOException {
        final HttpResponse<String> response = server.post("/v1/models/default:regress", body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).contains(message);
    }

    @Test
    void shouldAnswerHealthProbes() throws IOException {
        assertThat(json(server.get("/v2/health/live"))).isEqualTo(JSON.readTree("{\"live\": true}"));
        assertThat(json(server.get("/v2/health/ready"))).isEqualTo(JSON.readTree("{\"ready\": true}"));
    }

    @Test
    void shouldAnswerUnknownPathsWith404() {
        assertThat(server.get("/nope").statusCode()).isEqualTo(404);
    }
}
