/** JMH microbenchmarks: the batcher's per-task overhead against a plain blocking-queue batcher. */
package io.ringserve.loadtest.jmh;
