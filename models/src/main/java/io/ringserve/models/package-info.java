/**
 * TensorFlow SavedModels as ringserve serves them: TF Serving's version-directory layout, loading with the
 * {@code serve} tag, signatures read from the MetaGraphDef, and {@link io.ringserve.models.HostTensor} values that
 * cross into and out of TensorFlow with one copy each way.
 *
 * <p>Nothing here knows about HTTP, gRPC or JSON; the server's codecs translate wire formats to host tensors.
 */
package io.ringserve.models;
