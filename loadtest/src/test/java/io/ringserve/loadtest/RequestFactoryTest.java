package io.ringserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringserve.proto.inference.ModelInferRequest;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.tensorflow.TensorProto;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    void shouldReadTheInputsFromKServeV2Metadata() throws Exception {
        final JsonNode metadata = JSON.readTree("""
                {"name": "m", "versions": ["1"], "platform": "tensorflow_savedmodel",
                 "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 4]},
                            {"name": "tags", "datatype": "BYTES", "shape": [-1]}],
                 "outputs": []}""");
        assertThat(RequestFactory.fromV2MetadataJson(metadata)).containsExactly(
                new InputSpec("features", "DT_FLOAT", List.of(-1L, 4L)),
                new InputSpec("tags", "DT_STRING", List.of(-1L)));
        assertThatThrownBy(() -> RequestFactory.fromV2MetadataJson(JSON.readTree(
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FLOAT\", \"shape\": [1]}]}")))
                .hasMessageContaining("'x'").hasMessageContaining("FLOAT");
        assertThatThrownBy(() -> RequestFactory.fromV2MetadataJson(JSON.readTree("{\"inputs\": []}")))
                .hasMessageContaining("no inputs");
    }

    @Test
    void v2RestBodiesShouldBeJsonTensorsOfTheRightShapeAndRepeatWithTheSeed() throws Exception {
        final byte[] body = new RequestFactory("m", "serving_default", inputs(), 3).v2RestBody(2);
        final JsonNode tensors = JSON.readTree(body).get("inputs");
        assertThat(tensors).hasSize(3);
        final JsonNode features = tensors.get(0);
        assertThat(features.get("name").asText()).isEqualTo("features");
        assertThat(features.get("datatype").asText()).isEqualTo("FP32");
        assertThat(features.get("shape").toString()).isEqualTo("[2,4]");
        assertThat(features.get("data")).hasSize(8);
        assertThat(tensors.get(1).get("datatype").asText()).isEqualTo("INT64");
        assertThat(tensors.get(1).get("data").get(0).isIntegralNumber()).isTrue();
        assertThat(tensors.get(2).get("datatype").asText()).isEqualTo("BYTES");
        assertThat(tensors.get(2).get("data").get(1).isTextual()).isTrue();
        assertThat(new RequestFactory("m", "serving_default", inputs(), 3).v2RestBody(2)).isEqualTo(body);
    }

    @Test
    void v2RestBodiesShouldRefuseTypesJsonCannotCarry() {
        final RequestFactory half = new RequestFactory("m", "serving_default",
                List.of(new InputSpec("h", "DT_HALF", List.of(-1L))), 3);
        assertThatThrownBy(() -> half.v2RestBody(1)).hasMessageContaining("'h'").hasMessageContaining("FP16")
                .hasMessageContaining("--grpc");
    }

    @Test
    void v2GrpcRequestsShouldSendEveryInputRaw() throws Exception {
        final ModelInferRequest request = new RequestFactory("m", "serving_default", inputs(), 3).v2GrpcRequest(5);
        assertThat(request.getModelName()).isEqualTo("m");
        assertThat(request.getInputsList()).extracting(ModelInferRequest.InferInputTensor::getName)
                .containsExactly("features", "ids", "tags");
        assertThat(request.getInputs(0).getShapeList()).containsExactly(5L, 4L);
        assertThat(request.getInputs(0).getDatatype()).isEqualTo("FP32");
        assertThat(request.getRawInputContentsCount()).isEqualTo(3);
        assertThat(request.getRawInputContents(0).size()).isEqualTo(5 * 4 * 4);
        assertThat(request.getRawInputContents(1).size()).isEqualTo(5 * 8);
        // BYTES: each element a 4-byte little-endian length, then "sNNN".
        final ByteBuffer tags = request.getRawInputContents(2).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 5; i++) {
            final int length = tags.getInt();
            assertThat(length).isEqualTo(4);
            tags.position(tags.position() + length);
        }
        assertThat(tags.hasRemaining()).isFalse();
    }

    @Test
    void rawValuesShouldHaveTheWidthOfTheirType() {
        final RequestFactory factory = new RequestFactory("m", "serving_default", List.of(
                new InputSpec("h", "DT_HALF", List.of(-1L, 3L)), new InputSpec("b", "DT_BOOL", List.of(-1L)),
                new InputSpec("i8", "DT_INT8", List.of(-1L)), new InputSpec("d", "DT_DOUBLE", List.of(-1L))), 3);
        final ModelInferRequest request = factory.v2GrpcRequest(2);
        assertThat(request.getRawInputContentsList()).extracting(c -> c.size()).containsExactly(2 * 3 * 2, 2, 2, 16);
        final ByteBuffer half = request.getRawInputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(half.getShort(0) & 0xFC00).as("half precision in [0.5, 1)").isEqualTo(0x3800);
        assertThat(factory.grpcRequest(2).getInputsOrThrow("h").getTensorContent().size()).isEqualTo(2 * 3 * 2);
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
