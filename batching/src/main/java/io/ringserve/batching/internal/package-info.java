/**
 * The Disruptor implementation of {@link io.ringserve.batching.BatchScheduler}. Not API: only
 * {@link io.ringserve.batching.BatchSchedulers} creates it.
 */
package io.ringserve.batching.internal;
