package io.ringserve.server.inference;

/** TF Serving's inference APIs, as its metrics name them in their {@code API} label. */
public enum TfServingApi {
    PREDICT("Predict"), CLASSIFY("Classify"), REGRESS("Regress");

    private final String label;

    TfServingApi(final String label) {
        this.label = label;
    }

    /** {@code Predict}, {@code Classify} or {@code Regress}: the label over gRPC and in the runtime latency. */
    public String label() {
        return label;
    }
}
