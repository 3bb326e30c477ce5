/**
 * Load generation against a running server and the in-process {@code Session.run} ceiling of the same model. The
 * load test never links the server: it speaks HTTP to it like any client.
 */
package io.ringserve.loadtest;
