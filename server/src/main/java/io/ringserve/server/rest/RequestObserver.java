package io.ringserve.server.rest;

/**
 * Watches requests from accepted to response written, for the in-flight gauge and request metrics. Called on the
 * event loop; must not block. Thread-safe.
 */
@FunctionalInterface
public interface RequestObserver {
    /** Observes nothing. */
    RequestObserver NONE = request -> Observation.UNOBSERVED;

    /** A request was accepted; the returned observation is finished once, with the HTTP status answered. */
    Observation start(RestRequest request);

    /** One request being watched. */
    @FunctionalInterface
    interface Observation {
        /** An observation that records nothing. */
        Observation UNOBSERVED = status -> { };

        /** The response was written (or could not be: the client went away, reported as 499). */
        void finish(int httpStatus);
    }
}
