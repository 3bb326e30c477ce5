package io.ringserve.server.inference;

import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Runs every request alone, one {@code Session.run} each, on the {@link InferenceExecutor}: batching off. */
public final class DirectModelRunner implements ModelRunner {
    private final InferenceExecutor executor;

    public DirectModelRunner(final InferenceExecutor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel model, final SignatureSpec signature,
                                                          final Map<String, HostTensor> inputs,
                                                          final List<String> outputs, final long deadlineNanos) {
        return executor.submit(() -> model.run(signature, inputs, outputs), deadlineNanos);
    }

    @Override
    public boolean shutdown(final Duration drain) throws InterruptedException {
        return executor.shutdown(drain.toMillis());
    }
}
