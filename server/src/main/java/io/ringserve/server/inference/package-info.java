/**
 * Transport-neutral serving: resolving a model, version and signature from a request, running it off the event
 * loop, and the error vocabulary ({@link io.ringserve.server.inference.StatusCode}) every front end maps to its
 * own wire status.
 */
package io.ringserve.server.inference;
