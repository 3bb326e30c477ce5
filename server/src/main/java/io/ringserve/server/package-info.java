/**
 * The ringserve server: command line, configuration and lifecycle. Front ends live in {@code rest} (and later
 * {@code grpc}); wire formats are translated in {@code codec}; {@code inference} resolves models and runs them off
 * the event loops.
 */
package io.ringserve.server;
