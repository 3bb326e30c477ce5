package io.ringserve.server.inference;

import io.ringserve.models.SignatureSpec;

/**
 * TF Serving's {@code --enable_signature_method_name_check}. Off (TF Serving's default), signatures are checked by
 * structure only, which is what lets TF2 models, whose classify and regress signatures say
 * {@code tensorflow/serving/predict}, serve Classify and Regress. On, a signature's {@code method_name} must match
 * the call, with TF Serving's codes and messages. Immutable.
 */
public enum SignatureMethodCheck {
    OFF,
    ON;

    public static final String PREDICT = "tensorflow/serving/predict";
    public static final String CLASSIFY = "tensorflow/serving/classify";
    public static final String REGRESS = "tensorflow/serving/regress";

    /**
     * A Predict may run predict, classify and regress signatures.
     *
     * @throws ServingException INTERNAL, as TF Serving answers, for any other method name when the check is on
     */
    public void forPredict(final SignatureSpec signature) {
        final String method = signature.methodName();
        if (this == ON && !method.equals(PREDICT) && !method.equals(CLASSIFY) && !method.equals(REGRESS)) {
            throw new ServingException(StatusCode.INTERNAL, "Expected prediction signature method_name to be one of {"
                    + PREDICT + ", " + CLASSIFY + ", " + REGRESS + "}. Was: " + method);
        }
    }

    /** @throws ServingException INVALID_ARGUMENT when the check is on and the signature is not a classify one */
    public void forClassify(final SignatureSpec signature) {
        require(signature, CLASSIFY, "classification");
    }

    /** @throws ServingException INVALID_ARGUMENT when the check is on and the signature is not a regress one */
    public void forRegress(final SignatureSpec signature) {
        require(signature, REGRESS, "regression");
    }

    private void require(final SignatureSpec signature, final String method, final String kind) {
        if (this == ON && !signature.methodName().equals(method)) {
            throw ServingException.invalidArgument("Expected " + kind + " signature method_name to be " + method
                    + ". Was: " + signature.methodName());
        }
    }
}
