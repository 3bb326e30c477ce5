package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.tensorflow.TensorProto;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestFactoryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String METADATA = """
            {"model_spec": {"name": "m", "signature_name": "", "version": "1"},
             "metadata": {"signature_def": {"signature_def": {"serving_default": {
               "inputs": {
                 "features": {"dtype": "DT_FLOAT", "tensor_shape": {"dim": [{"size": "-1"}, {"size": "4"}]}},
                 "ids": {"dtype": "DT_INT64", "tensor_shape": {"dim": [{"size": "-1"}]}},
                 "tags": {"dtype": "DT_STRING", "tensor_shape": {"dim": [{"size": "-1"}]}}},
               "outputs": {}, "method_name": "tensorflow/serving/predict"}}}}}
            """;

    private static List<InputSpec> inputs() throws Exception {
        return RequestFactory.fromMetadataJson(JSON.readTree(METADATA), "serving_default");
    }

    @Test
    void shouldReadTheInputsFromTfServingMetadata() throws Exception {
        assertThat(inputs()).containsExactly(
                new InputSpec("features", "DT_FLOAT", List.of(-1L, 4L)),
                new InputSpec("ids", "DT_INT64", List.of(-1L)),
                new InputSpec("tags", "DT_STRING", List.of(-1L)));
        assertThatThrownBy(() -> RequestFactory.fromMetadataJson(JSON.readTree(METADATA), "nope"))
                .hasMessageContaining("nope");
    }

    @Test
    void restBodiesShouldCarryRowsOfTheRightShapeAndRepeatWithTheSeed() throws Exception {
        final byte[] body = new RequestFactory("m", "serving_default", inputs(), 3).restBody(2);
        final JsonNode instances = JSON.readTree(body).get("instances");
        assertThat(instances).hasSize(2);
        assertThat(instances.get(0).get("features")).hasSize(4);
        assertThat(instances.get(0).get("ids").isIntegralNumber()).isTrue();
        assertThat(instances.get(1).get("tags").isTextual()).isTrue();
        assertThat(new RequestFactory("m", "serving_default", inputs(), 3).restBody(2)).isEqualTo(body);
    }

    @Test
    void grpcRequestsShouldUseTensorContentForNumbers() throws Exception {
        final PredictRequest request = new RequestFactory("m", "serving_default", inputs(), 3).grpcRequest(5);
        final TensorProto features = request.getInputsOrThrow("features");
        assertThat(features.getTensorShape().getDimList()).extracting(d -> d.getSize()).containsExactly(5L, 4L);
        assertThat(features.getTensorContent().size()).isEqualTo(5 * 4 * 4);
        assertThat(request.getInputsOrThrow("ids").getTensorContent().size()).isEqualTo(5 * 8);
        assertThat(request.getInputsOrThrow("tags").getStringValCount()).isEqualTo(5);
        assertThat(request.getModelSpec().getName()).isEqualTo("m");
    }

    @Test
    void shouldNameTheMetadataUrlWhenTheServerCannotBeReached() throws Exception {
        final int port;
        try (ServerSocket closed = new ServerSocket(0)) {
            port = closed.getLocalPort();
        }
        final URI target = URI.create("http://127.0.0.1:" + port);
        assertThatThrownBy(() -> RequestFactory.fromMetadata(target, "mlp", "serving_default"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("http://127.0.0.1:" + port + "/v1/models/mlp/metadata")
                .hasMessageContaining("--target");
    }
}
