package io.ringserve.models;

/** The life of one model version, with TF Serving's {@code ModelVersionStatus.State} names. */
public enum ModelState {
    START,
    LOADING,
    AVAILABLE,
    UNLOADING,
    END
}
