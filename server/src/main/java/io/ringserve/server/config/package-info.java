/**
 * TF Serving's configuration files: the protobuf text format they are written in, and the messages ringserve reads
 * from them (BatchingParameters; ModelServerConfig later).
 */
package io.ringserve.server.config;
