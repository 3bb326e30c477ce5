/**
 * The gRPC front end: TF Serving's {@code tensorflow.serving.PredictionService} and {@code ModelService}, with
 * {@code TensorProto} codecs, TF Serving's status codes and messages, health checking and server reflection.
 */
package io.ringserve.server.grpc;
