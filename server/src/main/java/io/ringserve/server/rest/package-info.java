/**
 * The REST front end on Netty: TF Serving's {@code /v1} API and the {@code /v2/health} probes. The pipeline is
 * assembled by {@link io.ringserve.server.rest.RestServerInitializer}; requests are decoded on the event loop,
 * models run on the inference executor, and responses are encoded and written back on the connection's event loop.
 */
package io.ringserve.server.rest;
