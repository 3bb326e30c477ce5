/**
 * The server's meters and their Prometheus exposition: the in-flight gauge autoscalers scale on, requests by model,
 * protocol and outcome, latencies, model state, and the JVM.
 */
package io.ringserve.server.metrics;
