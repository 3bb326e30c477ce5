package io.ringserve.server.grpc;

import io.ringserve.proto.serving.Input;
import io.ringserve.server.inference.ExampleInference;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tf.Example}s of a Classify, Regress or MultiInference {@link Input}, serialized as the model reads
 * them, merged over the context when there is one ({@link ExampleInference#withContext}).
 */
final class Examples {
    private Examples() {
    }

    static List<byte[]> serialized(final Input input) {
        final List<byte[]> out = new ArrayList<>();
        switch (input.getKindCase()) {
            case EXAMPLE_LIST -> input.getExampleList().getExamplesList().forEach(e -> out.add(e.toByteArray()));
            case EXAMPLE_LIST_WITH_CONTEXT -> {
                final List<byte[]> own = new ArrayList<>();
                input.getExampleListWithContext().getExamplesList().forEach(e -> own.add(e.toByteArray()));
                out.addAll(ExampleInference.withContext(
                        input.getExampleListWithContext().getContext().toByteArray(), own));
            }
            default -> { }
        }
        return out;
    }
}
