package io.ringserve.server.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelLoadException;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.VersionWarmup;
import io.ringserve.proto.serving.InferenceTask;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictionLog;
import io.ringserve.server.inference.ExampleInference;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.SignatureMethodCheck;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TF Serving's model warm-up ({@code --enable_model_warmup}): replays the {@code PredictionLog} records of a
 * version's {@code assets.extra/tf_serving_warmup_requests} (a TFRecord file) against it before it serves. Predict,
 * Classify, Regress and MultiInference records are replayed {@code iterations} times each
 * ({@code --num_request_iterations_for_warmup}, once by default), one after another from the loading thread,
 * through the server's {@link ModelRunner}: with batching on they go through the batcher, as TF Serving replays them
 * through its batching session, so each runs at the batch size the batcher pads it to. The model spec's name and
 * version in a record are ignored, its signature name is used. A version without the file is warmed up by
 * {@code withoutRequests} ({@link io.ringserve.models.SyntheticWarmup}, or nothing). A file that cannot be read,
 * holds more than 1000 records, or a request that fails makes the version fail to load, with the reason, as in TF
 * Serving; the runner is then told to {@link ModelRunner#retire} the version, so no batching queue outlives it.
 * Thread-safe.
 */
public final class WarmupReplay implements VersionWarmup {
    /** Where TF Serving looks for warm-up requests, under a version's directory. */
    static final Path REQUESTS_FILE = Path.of("assets.extra", "tf_serving_warmup_requests");
    /** TF Serving's limit on warm-up records. */
    static final int MAX_RECORDS = 1000;
    private static final long MAX_RECORD_BYTES = 1L << 30;
    private static final long NO_DEADLINE = TimeUnit.DAYS.toNanos(365);
    private static final Logger LOG = LoggerFactory.getLogger(WarmupReplay.class);
    /** PredictionLog's field numbers of the log types ringserve does not replay. */
    private static final int SESSION_RUN_LOG = 5;
    private static final int PREDICT_STREAMED_LOG = 7;

    private final ModelRunner runner;
    private final ExampleInference examples;
    private final SignatureMethodCheck methodCheck;
    private final int iterations;
    private final VersionWarmup withoutRequests;
    private final Outcomes outcomes;

    /**
     * Told how each replay of a warm-up file ended, as TF Serving's {@code model_warmup_latency} counts it: the
     * version directory, {@code OK} or the failure ({@code CODE: message}), and how long the replay took.
     */
    @FunctionalInterface
    public interface Outcomes {
        /** Tells nothing. */
        Outcomes NONE = (directory, status, nanos) -> { };

        void replayed(Path directory, String status, long nanos);
    }

    /**
     * A replay that checks signatures' method names as the server's requests are checked.
     *
     * @param iterations how many times each record is replayed, at least 1
     * @param runner what runs the replayed requests: the server's runner (its batcher, when batching is on)
     * @param withoutRequests what warms up a version that has no warm-up file
     */
    public WarmupReplay(final SignatureMethodCheck methodCheck, final int iterations, final ModelRunner runner,
                        final VersionWarmup withoutRequests) {
        this(methodCheck, iterations, runner, withoutRequests, Outcomes.NONE);
    }

    /** @param outcomes told how each replay of a warm-up file ended */
    public WarmupReplay(final SignatureMethodCheck methodCheck, final int iterations, final ModelRunner runner,
                        final VersionWarmup withoutRequests, final Outcomes outcomes) {
        if (iterations < 1) {
            throw new IllegalArgumentException("num_request_iterations_for_warmup must be >= 1, got " + iterations);
        }
        this.methodCheck = Objects.requireNonNull(methodCheck, "methodCheck");
        this.iterations = iterations;
        this.runner = Objects.requireNonNull(runner, "runner");
        this.withoutRequests = Objects.requireNonNull(withoutRequests, "withoutRequests");
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
        this.examples = new ExampleInference(runner, methodCheck);
    }

    @Override
    public void warmUp(final LoadedModel model) {
        final Path file = model.directory().resolve(REQUESTS_FILE);
        if (!Files.exists(file)) {
            withoutRequests.warmUp(model);
            return;
        }
        final long start = System.nanoTime();
        try {
            replayFile(model, file);
            outcomes.replayed(model.directory(), StatusCode.OK.name(), System.nanoTime() - start);
        } catch (RuntimeException e) {
            outcomes.replayed(model.directory(), statusOf(e), System.nanoTime() - start);
            // The version will not serve: close the batching queues its warm-up opened.
            runner.retire(model);
            throw e;
        }
    }

    /** A failed replay as TF Serving's status prints: the request's code, else the file's, and the message. */
    private static String statusOf(final RuntimeException failure) {
        StatusCode code = failure.getCause() instanceof IOException ? StatusCode.DATA_LOSS
                : StatusCode.INVALID_ARGUMENT;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ServingException serving) {
                code = serving.code();
                break;
            }
        }
        return code.name() + ": " + failure.getMessage();
    }

    private void replayFile(final LoadedModel model, final Path file) {
        final long start = System.nanoTime();
        int records = 0;
        try (InputStream in = Files.newInputStream(file)) {
            final TfRecordReader reader = new TfRecordReader(in, MAX_RECORD_BYTES);
            for (byte[] record = reader.next(); record != null; record = reader.next()) {
                if (++records > MAX_RECORDS) {
                    throw new ModelLoadException("Number of warmup records exceeds the maximum (" + MAX_RECORDS
                            + ") at " + file);
                }
                final PredictionLog log = parse(record, records, file);
                for (int i = 0; i < iterations; i++) {
                    replay(model, log);
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read warmup data " + file + ": " + e.getMessage()
                    + ". Please verify your warmup data is in TFRecord format.", e);
        } catch (RuntimeException e) {
            throw e instanceof ModelLoadException failed ? failed : new ModelLoadException(
                    "Warmup request " + records + " of " + file + " failed: " + message(e), e);
        }
        LOG.info("Warmed up model {} version {} with {} requests ({} times each) from {} in {} ms", model.name(),
                model.version(), records, iterations, file,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static PredictionLog parse(final byte[] record, final int index, final Path file) {
        try {
            return PredictionLog.parseFrom(record);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException("Failed to parse warmup record " + index + " from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private void replay(final LoadedModel model, final PredictionLog log) {
        final long deadline = System.nanoTime() + NO_DEADLINE;
        switch (log.getLogTypeCase()) {
            case PREDICT_LOG -> {
                final PredictRequest request = log.getPredictLog().getRequest();
                final SignatureSpec signature = ModelSpecs.signature(model,
                        request.getModelSpec().getSignatureName());
                methodCheck.forPredict(signature);
                runner.run(model, signature, PredictionGrpcService.inputs(signature, request.getInputsMap(),
                                // The version's own file, as TF Serving replays it: no fill limit.
                                Long.MAX_VALUE),
                        PredictionGrpcService.outputs(signature, request.getOutputFilterList()), deadline).join();
            }
            case CLASSIFY_LOG -> {
                final var request = log.getClassifyLog().getRequest();
                examples.classify(model, ModelSpecs.signature(model, request.getModelSpec().getSignatureName()),
                        Examples.serialized(request.getInput()), deadline).join();
            }
            case REGRESS_LOG -> {
                final var request = log.getRegressLog().getRequest();
                examples.regress(model, ModelSpecs.signature(model, request.getModelSpec().getSignatureName()),
                        Examples.serialized(request.getInput()), deadline).join();
            }
            case MULTI_INFERENCE_LOG -> {
                final var request = log.getMultiInferenceLog().getRequest();
                final List<byte[]> serialized = Examples.serialized(request.getInput());
                for (InferenceTask task : request.getTasksList()) {
                    final SignatureSpec signature = ModelSpecs.signature(model,
                            task.getModelSpec().getSignatureName());
                    switch (task.getMethodName()) {
                        case SignatureMethodCheck.CLASSIFY -> examples.classify(model, signature, serialized,
                                deadline).join();
                        case SignatureMethodCheck.REGRESS -> examples.regress(model, signature, serialized,
                                deadline).join();
                        default -> throw new ModelLoadException("Unsupported signature method_name in a warmup "
                                + "MultiInference task: " + task.getMethodName());
                    }
                }
            }
            case LOGTYPE_NOT_SET -> throw new ModelLoadException("Unsupported log_type for warmup: "
                    + (log.getUnknownFields().hasField(SESSION_RUN_LOG) ? "session_run_log"
                            : log.getUnknownFields().hasField(PREDICT_STREAMED_LOG) ? "predict_streamed_log"
                                    : "none set"));
            default -> throw new IllegalStateException("unknown log type " + log.getLogTypeCase());
        }
    }

    private static String message(final Throwable failure) {
        final Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
