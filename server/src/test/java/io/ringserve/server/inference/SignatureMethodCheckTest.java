package io.ringserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.SignatureSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignatureMethodCheckTest {
    private static SignatureSpec signature(final String method) {
        return new SignatureSpec("s", method, Map.of(), Map.of());
    }

    @Test
    void offShouldLetEveryMethodNameThroughAsTfServingsDefault() {
        for (String method : new String[] {"", "tensorflow/serving/predict", "custom"}) {
            assertThatCode(() -> {
                SignatureMethodCheck.OFF.forPredict(signature(method));
                SignatureMethodCheck.OFF.forClassify(signature(method));
                SignatureMethodCheck.OFF.forRegress(signature(method));
            }).doesNotThrowAnyException();
        }
    }

    @Test
    void onShouldLetPredictRunThePredictClassifyAndRegressSignaturesOnly() {
        for (String method : new String[] {SignatureMethodCheck.PREDICT, SignatureMethodCheck.CLASSIFY,
                SignatureMethodCheck.REGRESS}) {
            assertThatCode(() -> SignatureMethodCheck.ON.forPredict(signature(method))).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> SignatureMethodCheck.ON.forPredict(signature("")))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INTERNAL))
                .hasMessage("Expected prediction signature method_name to be one of {tensorflow/serving/predict, "
                        + "tensorflow/serving/classify, tensorflow/serving/regress}. Was: ");
    }

    @Test
    void onShouldRequireClassifyAndRegressSignaturesForThoseCalls() {
        assertThatCode(() -> SignatureMethodCheck.ON.forClassify(signature(SignatureMethodCheck.CLASSIFY)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> SignatureMethodCheck.ON.forClassify(signature(SignatureMethodCheck.PREDICT)))
                .isInstanceOfSatisfying(ServingException.class,
                        e -> assertThat(e.code()).isEqualTo(StatusCode.INVALID_ARGUMENT))
                .hasMessage("Expected classification signature method_name to be tensorflow/serving/classify. "
                        + "Was: tensorflow/serving/predict");
        assertThatThrownBy(() -> SignatureMethodCheck.ON.forRegress(signature(SignatureMethodCheck.CLASSIFY)))
                .hasMessage("Expected regression signature method_name to be tensorflow/serving/regress. "
                        + "Was: tensorflow/serving/classify");
    }
}
