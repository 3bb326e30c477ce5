/**
 * The micro-batcher: turns many small concurrent tasks into few large batches. Depends on the JDK, the
 * Disruptor, slf4j and the Micrometer facade only (enforced by the build).
 */
package io.ringserve.batching;
