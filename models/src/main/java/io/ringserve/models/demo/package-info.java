/**
 * Generates the demo model repository that {@code bin/ringserve} serves out of the box: small, real SavedModels
 * built with TensorFlow Java ops and fixed seeds, so every run produces the same weights.
 */
package io.ringserve.models.demo;
