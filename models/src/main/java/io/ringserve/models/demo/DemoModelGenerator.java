package io.ringserve.models.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes ringserve's demo models as a model repository: {@code <root>/<model>/1/saved_model.pb} plus
 * {@code variables/}, the layout TF Serving reads.
 *
 * <ul>
 *   <li>{@code half_plus_two}: {@code y = 0.5 x + 2}; input {@code x}, output {@code y}, float32 [-1].</li>
 *   <li>{@code mlp}: 784 → 1024 → 1024 → 10 with ReLU and softmax; input {@code x} float32 [-1,784], output
 *       {@code probabilities} float32 [-1,10].</li>
 *   <li>{@code cnn}: input {@code image} float32 [-1,32,32,3], two 3×3 convolutions with max pooling and a dense
 *       head; output {@code probabilities} float32 [-1,10].</li>
 *   <li>{@code multi_io}: inputs {@code features} float32 [-1,4], {@code ids} int64 [-1], {@code tags} string [-1];
 *       outputs {@code score} float32 [-1] (sum of features), {@code next_ids} int64 [-1] (ids + 1),
 *       {@code tag_length} int32 [-1], {@code positive} bool [-1] (score > 0) and {@code tags_bytes} string [-1]
 *       (the tags, which REST writes as base64 because of the {@code _bytes} suffix).</li>
 * </ul>
 *
 * <p>Weights are variables initialised from TensorFlow's stateless random ops with fixed seeds: the same seeds give
 * the same model on every machine. Not thread-safe; run one generation at a time per directory.
 */
public final class DemoModelGenerator {
    /** The names of the models {@link #writeAll} writes. */
    public static final List<String> MODEL_NAMES = List.of("half_plus_two", "mlp", "cnn", "multi_io");

    private static final String PREDICT_METHOD = "tensorflow/serving/predict";
    private static final long VERSION = 1;

    private DemoModelGenerator() {
    }

    /**
     * Writes every demo model under {@code root}, replacing none that already exist.
     *
     * @throws UncheckedIOException if a directory cannot be written
     */
    public static void writeAll(final Path root) {
        writeIfMissing(root, "half_plus_two", DemoModelGenerator::halfPlusTwo);
        writeIfMissing(root, "mlp", DemoModelGenerator::mlp);
        writeIfMissing(root, "cnn", DemoModelGenerator::cnn);
        writeIfMissing(root, "multi_io", DemoModelGenerator::multiIo);
    }

    /** Command line: {@code DemoModelGenerator <repository directory>}. */
    public static void main(final String[] args) {
        if (args.length != 1) {
            System.err.println("usage: DemoModelGenerator <model repository directory>");
            System.exit(2);
        }
        final Path root = Path.of(args[0]);
        writeAll(root);
        System.out.println("Demo models in " + root.toAbsolutePath() + ": " + String.join(", ", MODEL_NAMES));
    }

    private static void writeIfMissing(final Path root, final String name, final Consumer<Exporter> build) {
        final Path versionDir = root.resolve(name).resolve(Long.toString(VERSION));
        if (Files.isRegularFile(versionDir.resolve("saved_model.pb"))) {
            return;
        }
        // Export next to the final place, then rename: a crash never leaves a half-written version behind.
        final Path staging = root.resolve(name).resolve(".tmp-" + VERSION);
        try {
            deleteRecursively(staging);
            Files.createDirectories(staging.getParent());
            try (Graph graph = new Graph(); Session session = new Session(graph)) {
                final Exporter exporter = new Exporter(Ops.create(graph), session);
                build.accept(exporter);
                session.initialize();
                SavedModelBundle.exporter(staging.toString())
                        .withSession(session)
                        .withSignature(exporter.signature)
                        .export();
            }
            Files.move(staging, versionDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write demo model " + name + " to " + versionDir, e);
        }
    }

    private static void halfPlusTwo(final Exporter e) {
        final Ops tf = e.tf;
        final Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1)));
        final Operand<TFloat32> y = tf.withName("y").math.add(
                tf.math.mul(x, tf.constant(0.5f)), tf.constant(2.0f));
        e.signature = Signature.builder().key("serving_default").methodName(PREDICT_METHOD)
                .input("x", x).output("y", y).build();
    }

    private static void mlp(final Exporter e) {
        final Ops tf = e.tf;
        final Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, 784)));
        Operand<TFloat32> h = tf.nn.relu(dense(e, x, 784, 1024, 11));
        h = tf.nn.relu(dense(e, h, 1024, 1024, 12));
        final Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(dense(e, h, 1024, 10, 13));
        e.signature = Signature.builder().key("serving_default").methodName(PREDICT_METHOD)
                .input("x", x).output("probabilities", probabilities).build();
    }

    private static void cnn(final Exporter e) {
        final Ops tf = e.tf;
        final Placeholder<TFloat32> image = tf.withName("image").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, 32, 32, 3)));
        Operand<TFloat32> h = convReluPool(e, image, 3, 16, 21);
        h = convReluPool(e, h, 16, 32, 22);
        final Operand<TFloat32> flat = tf.reshape(h, tf.constant(new long[] {-1, 8 * 8 * 32}));
        final Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(
                dense(e, flat, 8 * 8 * 32, 10, 23));
        e.signature = Signature.builder().key("serving_default").methodName(PREDICT_METHOD)
                .input("image", image).output("probabilities", probabilities).build();
    }

    private static void multiIo(final Exporter e) {
        final Ops tf = e.tf;
        final Placeholder<TFloat32> features = tf.withName("features").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, 4)));
        final Placeholder<TInt64> ids = tf.withName("ids").placeholder(TInt64.class, Placeholder.shape(Shape.of(-1)));
        final Placeholder<TString> tags = tf.withName("tags").placeholder(TString.class,
                Placeholder.shape(Shape.of(-1)));
        final Operand<TFloat32> score = tf.withName("score").reduceSum(features, tf.constant(1));
        final Operand<TInt64> nextIds = tf.withName("next_ids").math.add(ids, tf.constant(1L));
        final Operand<TInt32> tagLength = tf.withName("tag_length").strings.stringLength(tags);
        final Operand<TBool> positive = tf.withName("positive").math.greater(score, tf.constant(0.0f));
        final Operand<TString> tagsBytes = tf.withName("tags_bytes").identity(tags);
        e.signature = Signature.builder().key("serving_default").methodName(PREDICT_METHOD)
                .input("features", features).input("ids", ids).input("tags", tags)
                .output("score", score).output("next_ids", nextIds).output("tag_length", tagLength)
                .output("positive", positive).output("tags_bytes", tagsBytes).build();
    }

    /** {@code x · W + b}, W He-initialised from a stateless normal with the given seed, b zero. */
    private static Operand<TFloat32> dense(final Exporter e, final Operand<TFloat32> x, final int in, final int out,
                                           final long seed) {
        final Ops tf = e.tf;
        final Operand<TFloat32> w = tf.variable(heNormal(tf, new long[] {in, out}, in, seed));
        final Operand<TFloat32> b = tf.variable(tf.fill(tf.constant(new long[] {out}), tf.constant(0.01f)));
        return tf.math.add(tf.linalg.matMul(x, w), b);
    }

    /** A SAME-padded 3×3 convolution, ReLU and a 2×2 max pool that halves height and width. */
    private static Operand<TFloat32> convReluPool(final Exporter e, final Operand<TFloat32> x, final int in,
                                                  final int out, final long seed) {
        final Ops tf = e.tf;
        final Operand<TFloat32> kernel = tf.variable(heNormal(tf, new long[] {3, 3, in, out}, 9L * in, seed));
        final Operand<TFloat32> bias = tf.variable(tf.fill(tf.constant(new long[] {out}), tf.constant(0.01f)));
        final Operand<TFloat32> conv = tf.nn.biasAdd(tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME"), bias);
        return tf.nn.maxPool(tf.nn.relu(conv), tf.constant(new int[] {1, 2, 2, 1}),
                tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    }

    private static Operand<TFloat32> heNormal(final Ops tf, final long[] shape, final long fanIn, final long seed) {
        final Operand<TFloat32> normal = tf.random.statelessRandomNormal(tf.constant(shape),
                tf.constant(new long[] {seed, 0x5EED}));
        return tf.math.mul(normal, tf.constant((float) Math.sqrt(2.0 / fanIn)));
    }

    private static void deleteRecursively(final Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** What one model's builder gets: the ops to build with, and where to leave its signature. */
    private static final class Exporter {
        private final Ops tf;
        private final Session session;
        private Signature signature;

        private Exporter(final Ops tf, final Session session) {
            this.tf = tf;
            this.session = session;
        }
    }
}
