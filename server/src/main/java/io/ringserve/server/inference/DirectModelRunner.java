package io.ringserve.server.inference;

import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.RunTimeouts;
import io.ringserve.models.SignatureSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.ObjLongConsumer;

/**
 * Runs every request alone, one {@code Session.run} each, on the {@link InferenceExecutor}: batching off. A call
 * still running when its request's deadline passes is cancelled by TensorFlow ({@link RunTimeouts}).
 */
public final class DirectModelRunner implements ModelRunner {
    private final InferenceExecutor executor;
    private final ObjLongConsumer<String> computeObserver;

    /**
     * @param computeObserver told the model name and the nanoseconds of every model call
     */
    public DirectModelRunner(final InferenceExecutor executor, final ObjLongConsumer<String> computeObserver) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.computeObserver = Objects.requireNonNull(computeObserver, "computeObserver");
    }

    @Override
    public CompletableFuture<Map<String, HostTensor>> run(final LoadedModel model, final SignatureSpec signature,
                                                          final Map<String, HostTensor> inputs,
                                                          final List<String> outputs, final long deadlineNanos) {
        // The version stays open until the answer is settled (ModelRegistry#refresh retires versions).
        model.acquire();
        final CompletableFuture<Map<String, HostTensor>> answer;
        try {
            answer = executor.submit(() -> {
                final long start = System.nanoTime();
                try {
                    // TensorFlow cancels the call once the request's deadline has passed, as TF Serving has it.
                    return model.run(signature, inputs, outputs,
                            RunTimeouts.until(deadlineNanos, executor.nanoTime()));
                } finally {
                    computeObserver.accept(model.name(), System.nanoTime() - start);
                }
            }, deadlineNanos);
        } catch (RuntimeException | Error e) {
            model.release();
            throw e;
        }
        answer.whenComplete((value, failure) -> model.release());
        return answer;
    }

    @Override
    public boolean shutdown(final Duration drain) throws InterruptedException {
        return executor.shutdown(drain.toMillis());
    }
}
