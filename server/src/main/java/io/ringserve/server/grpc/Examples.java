package io.ringserve.server.grpc;

import io.ringserve.proto.serving.Input;
import io.ringserve.proto.tensorflow.Example;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tf.Example}s of a Classify, Regress or MultiInference {@link Input}, serialized as the model reads
 * them. With a context, each example is the serialized context followed by the serialized example: protobuf merges
 * concatenated messages, so the example's features win over the context's, as in TF Serving.
 */
final class Examples {
    private Examples() {
    }

    static List<byte[]> serialized(final Input input) {
        final List<byte[]> out = new ArrayList<>();
        switch (input.getKindCase()) {
            case EXAMPLE_LIST -> input.getExampleList().getExamplesList().forEach(e -> out.add(e.toByteArray()));
            case EXAMPLE_LIST_WITH_CONTEXT -> {
                final byte[] context = input.getExampleListWithContext().getContext().toByteArray();
                for (Example example : input.getExampleListWithContext().getExamplesList()) {
                    final byte[] own = example.toByteArray();
                    final byte[] merged = new byte[context.length + own.length];
                    System.arraycopy(context, 0, merged, 0, context.length);
                    System.arraycopy(own, 0, merged, context.length, own.length);
                    out.add(merged);
                }
            }
            default -> { }
        }
        return out;
    }
}
