package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.types.TFloat32;

/**
 * {@link LoadedModel#run(SignatureSpec, Map, List, Duration)} on a SavedModel whose signature blocks for ever (it
 * dequeues from a queue nothing fills): TensorFlow cancels the call at the timeout and the version stays usable.
 */
class RunTimeoutTest {
    @TempDir
    Path dir;

    /** {@code y = x + dequeue(empty queue)}: every run blocks. */
    private Path blockingModel() throws IOException {
        final Path version = dir.resolve("blocking").resolve("1");
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            final Ops tf = Ops.create(graph);
            final Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 1)));
            final FifoQueue queue = tf.io.fifoQueue(List.of(TFloat32.class));
            @SuppressWarnings("unchecked")
            final Operand<TFloat32> next = (Operand<TFloat32>) tf.io.queueDequeue(queue, List.of(TFloat32.class))
                    .components().get(0);
            final Operand<TFloat32> y = tf.withName("y").math.add(x, next);
            SavedModelBundle.exporter(version.toString()).withSession(session)
                    .withSignature(Signature.builder().key(SignatureSpec.DEFAULT_KEY).input("x", x).output("y", y)
                            .build())
                    .export();
        }
        return version.getParent();
    }

    @Test
    @Timeout(60) // without the run timeout the call would block for ever
    void aCallPastItsTimeoutShouldBeCancelledAndTheVersionStayUsable() throws IOException {
        try (ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS))) {
            registry.add("blocking", blockingModel());
            registry.loadAll();
            final LoadedModel model = registry.get("blocking").flatMap(ServedModel::latest).orElseThrow();
            final SignatureSpec signature = model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
            final Map<String, HostTensor> zeros = SyntheticWarmup.zeros(signature, 1);
            for (int call = 0; call < 2; call++) {
                assertThatThrownBy(() -> model.run(signature, zeros, List.of("y"), Duration.ofMillis(100)))
                        .isInstanceOf(ModelExecutionException.class).hasMessageContaining("Timed out");
            }
            assertThat(model.stateChangingOp(signature)).as("a dequeue changes the queue: never warmed on zeros")
                    .hasValueSatisfying(op -> assertThat(op).endsWith("(QueueDequeueV2)"));
        }
    }
}
