package io.ringserve.models;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFFailedPreconditionException;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.proto.RunOptions;

/**
 * One loaded version of a SavedModel: its signatures and a TensorFlow session to run them.
 *
 * <p>Thread-safe: {@link #run} may be called from many threads at once (TensorFlow sessions are). {@link #close}
 * releases the native session and graph; the caller must make sure no {@code run} is in progress or follows.
 */
public final class LoadedModel implements AutoCloseable {
    /** How long {@link #close} waits for the calls running in a version before giving up on them. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

    private final String name;
    private final long version;
    private final Map<String, SignatureSpec> signatures;
    private final SavedModelBundle bundle;
    private final Path directory;
    private final Duration loadDuration;
    /** Calls into TensorFlow hold the read lock; {@link #close} takes the write lock, so it waits for them. */
    private final ReentrantReadWriteLock session = new ReentrantReadWriteLock();
    private final AtomicInteger users = new AtomicInteger();
    /** Set once the version refuses calls; written outside the write lock when {@link #close} gave up waiting. */
    private volatile boolean closed;
    /** Set once the version is taken out of service ({@link #markRetired}); before it is closed. */
    private volatile boolean retired;
    /** Whether the TensorFlow session is closed; under the write lock. */
    private boolean sessionClosed;

    LoadedModel(final String name, final long version, final Path directory, final Duration loadDuration,
                final Map<String, SignatureSpec> signatures, final SavedModelBundle bundle) {
        this.name = Objects.requireNonNull(name, "name");
        this.version = version;
        this.directory = Objects.requireNonNull(directory, "directory");
        this.loadDuration = Objects.requireNonNull(loadDuration, "loadDuration");
        this.signatures = Map.copyOf(signatures);
        this.bundle = Objects.requireNonNull(bundle, "bundle");
    }

    public String name() {
        return name;
    }

    public long version() {
        return version;
    }

    /** How long loading took. */
    public Duration loadDuration() {
        return loadDuration;
    }

    /** The version directory the model was loaded from. */
    public Path directory() {
        return directory;
    }

    /** Every signature of the model, including TF2's {@code __saved_model_init_op}; keys in no special order. */
    public Collection<SignatureSpec> signatures() {
        return signatures.values();
    }

    /** The signature with this key, if the model has one. */
    public Optional<SignatureSpec> signature(final String key) {
        return Optional.ofNullable(signatures.get(key));
    }

    /**
     * Runs {@code signature} once. Blocks the calling thread for the duration of the TensorFlow call.
     *
     * @param signature one of this model's signatures
     * @param inputs a tensor for every input alias of the signature (extra aliases are ignored)
     * @param outputAliases the outputs to fetch, in the order wanted; every one must be an output of the signature
     * @return the fetched outputs by alias, in the order of {@code outputAliases}
     * @throws ModelExecutionException if an input is missing or TensorFlow rejects the call; its
     *     {@link ModelExecutionException#kind()} says whether the request or the server is at fault
     */
    public Map<String, HostTensor> run(final SignatureSpec signature, final Map<String, HostTensor> inputs,
                                       final List<String> outputAliases) {
        return run(signature, inputs, outputAliases, Duration.ZERO);
    }

    /**
     * Runs {@code signature} once, as {@link #run(SignatureSpec, Map, List)} does, and has TensorFlow cancel the call
     * when it runs longer than {@code timeout} (its {@code RunOptions.timeout_in_ms}; zero for no limit): then it
     * fails with a {@link ModelExecutionException} of kind DEADLINE_EXCEEDED, and the version stays usable.
     */
    public Map<String, HostTensor> run(final SignatureSpec signature, final Map<String, HostTensor> inputs,
                                       final List<String> outputAliases, final Duration timeout) {
        final Map<String, Tensor> feeds = new LinkedHashMap<>();
        try {
            for (TensorSpec input : signature.inputs().values()) {
                final HostTensor value = inputs.get(input.alias());
                if (value == null) {
                    throw new ModelExecutionException(ModelExecutionException.Kind.INVALID_ARGUMENT,
                            "input '" + input.alias() + "' of signature '" + signature.key() + "' is missing");
                }
                feeds.put(input.alias(), TensorInterop.toTensorFlow(value));
            }
            return runFeeds(signature, feeds, outputAliases, timeout);
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }

    /**
     * Runs {@code signature} on tensors already in TensorFlow's memory, one per input alias; the caller keeps
     * ownership of them. Blocks for the duration of the call, which TensorFlow cancels past {@code timeout} (zero: no
     * limit).
     *
     * @throws ModelExecutionException as {@link #run} does
     */
    Map<String, HostTensor> runFeeds(final SignatureSpec signature, final Map<String, Tensor> feeds,
                                     final List<String> outputAliases, final Duration timeout) {
        final long timeoutMillis = timeout.isZero() || timeout.isNegative() ? 0 : Math.max(1, timeout.toMillis());
        final long start = System.nanoTime();
        session.readLock().lock();
        try {
            requireOpen();
            final Session.Runner runner = bundle.session().runner();
            if (timeoutMillis > 0) {
                runner.setOptions(RunOptions.newBuilder().setTimeoutInMs(timeoutMillis).build());
            }
            for (TensorSpec input : signature.inputs().values()) {
                runner.feed(input.tensorName(), feeds.get(input.alias()));
            }
            for (String alias : outputAliases) {
                final TensorSpec output = signature.outputs().get(alias);
                if (output == null) {
                    throw new ModelExecutionException(ModelExecutionException.Kind.INVALID_ARGUMENT,
                            "signature '" + signature.key() + "' has no output '" + alias + "'");
                }
                runner.fetch(output.tensorName());
            }
            return fetch(runner, outputAliases);
        } catch (ModelExecutionException e) {
            throw e;
        } catch (RuntimeException e) {
            // TensorFlow's exceptions extend the JDK's (TFInvalidArgumentException is an IllegalArgumentException).
            throw translate(e, timeoutMillis > 0
                    && System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        } finally {
            session.readLock().unlock();
        }
    }

    /**
     * An op that running {@code signature} would run and that changes the model's state (assigns a variable, changes
     * a lookup table or a queue, writes a file, ...), as {@code name (type)}; empty when running it changes nothing
     * but its answer. Walks the graph; blocks briefly.
     *
     * @throws ModelExecutionException if the version was closed
     */
    public Optional<String> stateChangingOp(final SignatureSpec signature) {
        session.readLock().lock();
        try {
            requireOpen();
            return StateChangingOps.find(bundle.graph(), signature.outputs().values().stream()
                    .map(TensorSpec::tensorName).filter(tensor -> !tensor.isEmpty()).toList());
        } finally {
            session.readLock().unlock();
        }
    }

    /** Under the session's read lock: fails once {@link #close} has run. */
    private void requireOpen() {
        if (closed) {
            throw new ModelExecutionException(ModelExecutionException.Kind.INTERNAL,
                    "version " + version + " of model " + name + " was unloaded");
        }
    }

    /**
     * Counts a request that will run this version (until {@link #release}): a version taken out of service is
     * closed only once no request holds it ({@link #users}). Thread-safe, never blocks.
     */
    public void acquire() {
        users.incrementAndGet();
    }

    /** Ends what {@link #acquire} counted. */
    public void release() {
        users.decrementAndGet();
    }

    /** Requests holding this version now ({@link #acquire}d and not yet released). */
    public int users() {
        return users.get();
    }

    /**
     * Marks this version taken out of service: what runs requests makes no new queues or work for it from now on
     * (it is about to be closed). Idempotent; thread-safe.
     */
    public void markRetired() {
        retired = true;
    }

    /** Whether {@link #markRetired} was called; a volatile read, cheap enough for every request. */
    public boolean isRetired() {
        return retired;
    }

    private static Map<String, HostTensor> fetch(final Session.Runner runner, final List<String> aliases) {
        try (Result result = runner.run()) {
            final Map<String, HostTensor> outputs = new LinkedHashMap<>();
            for (int i = 0; i < aliases.size(); i++) {
                outputs.put(aliases.get(i), TensorInterop.toHost(result.get(i)));
            }
            return outputs;
        }
    }

    /**
     * The kind of a failed call. TensorFlow Java has no exception class of its own for DEADLINE_EXCEEDED: a call that
     * failed otherwise than by its inputs once its timeout had passed is taken to be TensorFlow's cancellation.
     */
    private static ModelExecutionException translate(final RuntimeException e, final boolean pastTimeout) {
        final ModelExecutionException.Kind kind;
        if (e instanceof TFInvalidArgumentException || e instanceof TFOutOfRangeException
                || e instanceof TFFailedPreconditionException) {
            kind = ModelExecutionException.Kind.INVALID_ARGUMENT;
        } else if (e instanceof TFUnimplementedException) {
            kind = ModelExecutionException.Kind.UNIMPLEMENTED;
        } else if (pastTimeout) {
            kind = ModelExecutionException.Kind.DEADLINE_EXCEEDED;
        } else {
            kind = ModelExecutionException.Kind.INTERNAL;
        }
        return new ModelExecutionException(kind, e.getMessage(), e);
    }

    /**
     * Closes the TensorFlow session, after the calls into it that are running now have returned, waiting for them
     * up to {@link #CLOSE_WAIT}; calls after it fail with {@link ModelExecutionException}. Idempotent.
     */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    /**
     * Closes the TensorFlow session once the calls into it running now have returned, waiting for them up to
     * {@code wait}. Past it (a call that never returns: a graph waiting on a queue, a call without a deadline) the
     * version refuses calls from then on, but its session stays open, and its memory in use, rather than hold up
     * the unloading of other versions and the server's shutdown for ever; logged. A later call closes the session
     * if the stuck calls have returned by then. Idempotent.
     */
    public void close(final Duration wait) {
        // An interrupted caller (a shutdown closing what is left) still closes a version no call holds.
        final boolean interrupted = Thread.interrupted();
        boolean locked = session.writeLock().tryLock();
        try {
            if (!locked && !interrupted) {
                locked = session.writeLock().tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (!locked) {
            closed = true;
            LOG.error("Model {} version {}: calls into it still running after {}; it takes no more calls, and its "
                    + "TensorFlow session stays open", name, version, wait);
            return;
        }
        try {
            closed = true;
            if (!sessionClosed) {
                sessionClosed = true;
                bundle.close();
            }
        } finally {
            session.writeLock().unlock();
        }
    }

    /** Whether the TensorFlow session is closed; for tests. */
    boolean sessionClosedForTest() {
        session.readLock().lock();
        try {
            return sessionClosed;
        } finally {
            session.readLock().unlock();
        }
    }

    /** Calls into the TensorFlow session running now (holding its read lock); for tests. */
    int callsRunning() {
        return session.getReadLockCount();
    }

    @Override
    public String toString() {
        return "LoadedModel{" + name + " v" + version + "}";
    }
}
