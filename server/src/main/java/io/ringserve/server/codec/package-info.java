/**
 * Wire formats to and from {@link io.ringserve.models.HostTensor}s: TF Serving's REST JSON (row and columnar
 * predict requests, predictions/outputs responses, model status and metadata), read and written with Jackson's
 * streaming API so that big tensors never become trees of boxed numbers.
 */
package io.ringserve.server.codec;
