package io.ringserve.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.io.QueueEnqueue;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** SavedModels built for tests, where neither the demo models nor TF Serving's testdata have the behaviour. */
public final class TestModels {
    private TestModels() {
    }

    /**
     * Writes version 1 of an embedding lookup under {@code base}: {@code vectors = table[ids]} with input {@code ids}
     * (int64 [-1]) over a 10-row table whose row i is {@code [i, -i]}. An id outside [0, 10) fails the run with
     * TensorFlow's INVALID_ARGUMENT, as embedding lookups do: a failure that comes from one request's values.
     */
    public static Path writeLookup(final Path base) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            final Ops tf = Ops.create(graph);
            final Placeholder<TInt64> ids = tf.withName("ids").placeholder(TInt64.class,
                    Placeholder.shape(Shape.of(-1)));
            final float[][] rows = new float[10][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = new float[] {i, -i};
            }
            final Operand<TFloat32> vectors = tf.withName("vectors").gather(tf.constant(rows), ids, tf.constant(0));
            SavedModelBundle.exporter(base.resolve("1").toString()).withSession(session)
                    .withSignature(Signature.builder().key(SignatureSpec.DEFAULT_KEY)
                            .methodName("tensorflow/serving/predict").input("ids", ids).output("vectors", vectors)
                            .build())
                    .export();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lookup model under " + base, e);
        }
        return base;
    }

    /**
     * Writes version 1 of a model whose every run blocks until TensorFlow cancels it: {@code y = x + dequeue()} from
     * a queue nothing fills, with input {@code x} (float [-1, 1]).
     */
    public static Path writeBlocking(final Path base) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            final Ops tf = Ops.create(graph);
            final Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 1)));
            final FifoQueue queue = tf.io.fifoQueue(List.of(TFloat32.class));
            @SuppressWarnings("unchecked")
            final Operand<TFloat32> next = (Operand<TFloat32>) tf.io.queueDequeue(queue, List.of(TFloat32.class))
                    .components().get(0);
            final Operand<TFloat32> y = tf.withName("y").math.add(x, next);
            SavedModelBundle.exporter(base.resolve("1").toString()).withSession(session)
                    .withSignature(Signature.builder().key(SignatureSpec.DEFAULT_KEY).input("x", x).output("y", y)
                            .build())
                    .export();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the blocking model under " + base, e);
        }
        return base;
    }

    /** The signature of {@link #writeGated} that lets one waiting call of {@code serving_default} through. */
    public static final String OPEN_GATE = "open";

    /**
     * Writes version 1 of a gated model under {@code base}: {@code serving_default} is {@code y = x + g} (x float32
     * [-1, 1]) where g is the next value put through the gate, so each call, and each batch of calls, waits until
     * signature {@value #OPEN_GATE} (input and output {@code g}, a float32 scalar) is run once. A test holds requests
     * in flight with it for as long as it needs, and lets them finish when it chooses.
     */
    public static Path writeGated(final Path base) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            final Ops tf = Ops.create(graph);
            final FifoQueue gate = tf.io.fifoQueue(List.of(TFloat32.class));
            final Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 1)));
            @SuppressWarnings("unchecked")
            final Operand<TFloat32> next = (Operand<TFloat32>) tf.io.queueDequeue(gate, List.of(TFloat32.class))
                    .components().get(0);
            final Operand<TFloat32> y = tf.withName("y").math.add(x, next);
            final Placeholder<TFloat32> g = tf.withName("g").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.scalar()));
            final QueueEnqueue put = tf.io.queueEnqueue(gate, List.of(g));
            final Operand<TFloat32> passed = tf.withControlDependencies(put).withName("passed").identity(g);
            SavedModelBundle.exporter(base.resolve("1").toString()).withSession(session)
                    .withSignatures(
                            Signature.builder().key(SignatureSpec.DEFAULT_KEY).input("x", x).output("y", y).build(),
                            Signature.builder().key(OPEN_GATE).input("g", g).output("g", passed).build())
                    .export();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the gated model under " + base, e);
        }
        return base;
    }
}
