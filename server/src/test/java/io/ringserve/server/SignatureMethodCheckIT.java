package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringserve.server.inference.SignatureMethodCheck;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --enable_signature_method_name_check} over REST on TF Serving's half_plus_two, whose signatures carry
 * classify, regress and predict method names: on, a call on a signature of another method is refused by name;
 * off (the default), by structure.
 */
@Timeout(60)
class SignatureMethodCheckIT {
    private static final String EXAMPLES = "\"examples\": [{\"x\": 1.0}]}";

    private static RunningServer server(final SignatureMethodCheck check) throws InterruptedException {
        return new RunningServer(ServerConfig.builder().signatureMethodCheck(check).models(List.of(
                new ModelConfig("default", RunningServer.tfServingTestData("saved_model_half_plus_two_cpu")))));
    }

    @Test
    void onShouldRefuseASignatureOfAnotherMethodByItsName() throws InterruptedException {
        try (RunningServer server = server(SignatureMethodCheck.ON)) {
            final HttpResponse<String> classify = server.post("/v1/models/default:classify",
                    "{\"signature_name\": \"regress_x_to_y\", " + EXAMPLES);
            assertThat(classify.statusCode()).isEqualTo(400);
            assertThat(classify.body()).contains("Expected classification signature method_name to be "
                    + "tensorflow/serving/classify. Was: tensorflow/serving/regress");
            final HttpResponse<String> regress = server.post("/v1/models/default:regress",
                    "{\"signature_name\": \"classify_x_to_y\", " + EXAMPLES);
            assertThat(regress.statusCode()).isEqualTo(400);
            assertThat(regress.body()).contains("Was: tensorflow/serving/classify");
            assertThat(server.post("/v1/models/default:regress", "{\"signature_name\": \"regress_x_to_y\", "
                    + EXAMPLES).statusCode()).isEqualTo(200);
            assertThat(server.post("/v1/models/default:predict", "{\"instances\": [[1.0]]}").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void offShouldCheckByStructureOnly() throws InterruptedException {
        try (RunningServer server = server(SignatureMethodCheck.OFF)) {
            final HttpResponse<String> classify = server.post("/v1/models/default:classify",
                    "{\"signature_name\": \"regress_x_to_y\", " + EXAMPLES);
            assertThat(classify.statusCode()).isEqualTo(400);
            assertThat(classify.body()).doesNotContain("method_name").contains("'classes' and/or 'scores'");
        }
    }
}
