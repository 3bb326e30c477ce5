package io.ringserve.server.grpc;

import io.grpc.Context;
import io.grpc.Detachable;
import io.grpc.ForwardingServerCallListener;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves unary calls with a large request message off the transport's event loop: such a message is parsed, and its
 * call handled (decoding the tensors, scheduling the model), on one of the {@code workers}, so that a 100 MB Predict
 * does not hold up every other connection of its event loop. The services run on the event loops
 * ({@code directExecutor}); a message under {@code offloadBytes} is handled there, where it costs less than the
 * hand-off would.
 *
 * <p>The large message's buffers are detached from the transport ({@link Detachable}), not copied. From that message
 * on, every callback of the call (half-close, cancellation, completion, readiness) runs on the same worker, in order,
 * in the call's {@link Context}, so the handler sees the call's deadline (counted from its arrival) and its
 * cancellation as it does on the event loop. A message that cannot be parsed, large or small, closes its call with
 * the parser's status (INTERNAL {@code Invalid protobuf byte sequence}, where grpc-java alone answers UNKNOWN) and
 * nothing else.
 *
 * <p>A compressed message ({@code gzip}, {@code deflate}) is inflated as it is parsed, so its size is not known
 * before: one of a sixteenth of {@code offloadBytes} or more compressed ({@link #COMPRESSED_EXPANSION}) goes to a
 * worker unread, its compressed bytes moved there ({@link CompressedMessages}, which the server's decompressors must
 * be for this), and is inflated there under the same size limit.
 *
 * <p>A large message is handled on the event loop anyway while messages of {@code maxWaitingBytes} in all wait for
 * the workers (counted as they arrived; a compressed one as at least {@code offloadBytes}): the event loop then
 * parses it itself, which slows its reading, so that a client sending faster than the workers parse is held back by
 * HTTP/2 flow control instead of filling the server's memory.
 *
 * <p>Thread-safe; each call's state is touched on the transport's thread for that call, or on its worker once it
 * moved there.
 */
public final class LargeMessageOffload implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(LargeMessageOffload.class);
    /**
     * How many times larger than its compressed form a message is taken to be when deciding where to handle it, as
     * for REST bodies: tensors sent compressed shrink a few times at most, unless mostly zeros. Offloading every
     * compressed message that could inflate to the offload size (deflate: 1032-fold) cost small compressed calls a
     * fifth of their throughput in hand-offs (docs/PERFORMANCE.md).
     */
    static final int COMPRESSED_EXPANSION = 16;
    /** Messages from this size on are handled on a worker unless configured otherwise. */
    public static final int DEFAULT_OFFLOAD_BYTES = 256 << 10;
    /** Never offloads: every message is handled where it arrives (in-process transports, tests). */
    public static final LargeMessageOffload NONE = new LargeMessageOffload(null, Integer.MAX_VALUE, 0);

    /**
     * Messages as the transport gives them and takes them. Not {@code useInputStreamMessages}: its marshaller wraps a
     * stream that does not support mark in a {@link java.io.BufferedInputStream}, and every answer is such a stream
     * (protobuf's, which the transport drains straight into its buffers); wrapped, each answer costs a buffer and a
     * second copy.
     */
    private static final MethodDescriptor.Marshaller<InputStream> AS_SENT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(final InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(final InputStream stream) {
            return stream;
        }
    };

    private final EventExecutorGroup workers;
    private final int offloadBytes;
    /** Compressed messages from this size on are taken to inflate to {@code offloadBytes} or more. */
    private final int compressedOffloadBytes;
    private final long maxWaitingBytes;
    private final AtomicLong waitingBytes = new AtomicLong();

    /**
     * @param workers where large messages are handled; each of its executors runs one task at a time, in order
     * @param offloadBytes the message size from which a message is handled on a worker
     * @param maxWaitingBytes how many bytes of messages may wait for the workers before large messages are handled
     *     on the event loop again (see the class)
     */
    public LargeMessageOffload(final EventExecutorGroup workers, final int offloadBytes, final long maxWaitingBytes) {
        this.workers = offloadBytes == Integer.MAX_VALUE ? workers : Objects.requireNonNull(workers, "workers");
        this.offloadBytes = offloadBytes;
        this.compressedOffloadBytes = offloadBytes == Integer.MAX_VALUE ? Integer.MAX_VALUE
                : Math.max(1, offloadBytes / COMPRESSED_EXPANSION);
        this.maxWaitingBytes = maxWaitingBytes;
    }

    /**
     * {@code service} with its unary calls offloaded when large: its messages reach this interceptor as they arrive
     * (streams), and are parsed with the service's own marshallers where the call is handled. Interceptors that
     * read messages belong inside {@code service} (applied to it first): outside it they would see streams.
     */
    public ServerServiceDefinition applyTo(final ServerServiceDefinition service) {
        if (offloadBytes == Integer.MAX_VALUE) {
            return service;
        }
        return ServerInterceptors.intercept(ServerInterceptors.useMarshalledMessages(service, AS_SENT), this);
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(final ServerCall<ReqT, RespT> call,
                                                                 final Metadata headers,
                                                                 final ServerCallHandler<ReqT, RespT> next) {
        final ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
            return listener;
        }
        return new OffloadingListener<>(call, listener);
    }

    /** Bytes of messages handed to the workers and not yet taken up by them. */
    public long waitingBytes() {
        return waitingBytes.get();
    }

    /** The message's size when it can be handed to a worker without copying it, or -1. */
    private static long detachableSize(final Object message) {
        if (message instanceof Detachable && message instanceof KnownLength && message instanceof InputStream in) {
            try {
                return in.available();
            } catch (IOException e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * What a compressed message of {@code compressedBytes} counts against {@code maxWaitingBytes}: at least as much as
     * the smallest message offloaded uncompressed. What it inflates to is not known, and the transport's buffer it
     * holds on to can be larger than it, so many small compressed messages must not queue up as if they were tiny.
     */
    private long waitingCount(final long compressedBytes) {
        return Math.max(compressedBytes, offloadBytes);
    }

    /** Reserves room for {@code bytes} waiting for the workers; false when that would pass the limit. */
    private boolean reserve(final long bytes) {
        while (true) {
            final long waiting = waitingBytes.get();
            if (waiting + bytes > maxWaitingBytes && waiting > 0) {
                return false;
            }
            if (waitingBytes.compareAndSet(waiting, waiting + bytes)) {
                return true;
            }
        }
    }

    /**
     * Passes callbacks on where they arrive until a large message comes; from then on runs them on one worker. The
     * transport calls it from one thread at a time; the worker runs what it is given in order. A callback that throws
     * (a message that cannot be parsed) closes the call with its status, wherever it ran, and the call's later
     * callbacks are dropped.
     */
    private final class OffloadingListener<ReqT>
            extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
        private final ServerCall<ReqT, ?> call;
        /** Set when a large message came; read and written on the transport's thread only. */
        private EventExecutor worker;
        /** The call failed and is closed; on the transport's thread, then on the worker once it has one. */
        private boolean failed;
        /** The worker refused the call (shutting down) and it is closed: later callbacks are dropped. */
        private boolean refused;

        OffloadingListener(final ServerCall<ReqT, ?> call, final ServerCall.Listener<ReqT> delegate) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onMessage(final ReqT message) {
            if (worker != null) {
                // A unary call has one message: grpc-java (1.85) holds it until the half-close and answers a second
                // with "Too many requests" itself, so none reaches here; kept for other transports.
                onWorkerWith(message, 0);
                return;
            }
            final long size = detachableSize(message);
            if (size >= offloadBytes && reserve(size)) {
                worker = workers.next();
                onWorkerWith(message, size);
                return;
            }
            if (size < 0) {
                final CompressedMessages.Delivered compressed = CompressedMessages.delivered(message);
                final long counted = compressed == null ? 0 : waitingCount(compressed.compressedBytes());
                if (compressed != null && compressed.compressedBytes() >= compressedOffloadBytes
                        && reserve(counted)) {
                    worker = workers.next();
                    onWorkerWith(inflatedThere(compressed), counted);
                    return;
                }
            }
            deliver(() -> delegate().onMessage(message));
        }

        /** A compressed message's bytes, moved off the transport, to be inflated where they are parsed. */
        @SuppressWarnings("unchecked") // Messages reach this interceptor as streams (AS_SENT): ReqT is InputStream.
        private ReqT inflatedThere(final CompressedMessages.Delivered compressed) {
            return (ReqT) compressed.detach();
        }

        /**
         * Delivers {@code message} on the worker, detached from the transport (which releases what it holds when
         * this callback returns) and released once delivered; gives back {@code reservedBytes} when the worker takes
         * it up.
         */
        private void onWorkerWith(final ReqT message, final long reservedBytes) {
            final ReqT detached = detached(message);
            final boolean queued = onWorker(() -> {
                waitingBytes.addAndGet(-reservedBytes);
                try {
                    deliver(() -> delegate().onMessage(detached));
                } finally {
                    if (detached instanceof InputStream in) {
                        release(in);
                    }
                }
            });
            if (!queued) {
                waitingBytes.addAndGet(-reservedBytes);
                if (detached instanceof InputStream in) {
                    release(in);
                }
            }
        }

        /** {@code message}, or what it holds detached from the transport, so that it outlives this callback. */
        @SuppressWarnings("unchecked") // A Detachable message is an InputStream: ReqT is InputStream.
        private ReqT detached(final ReqT message) {
            return message instanceof Detachable detachable ? (ReqT) detachable.detach() : message;
        }

        @Override
        public void onHalfClose() {
            where(() -> delegate().onHalfClose());
        }

        @Override
        public void onCancel() {
            where(() -> delegate().onCancel());
        }

        @Override
        public void onComplete() {
            where(() -> delegate().onComplete());
        }

        @Override
        public void onReady() {
            where(() -> delegate().onReady());
        }

        /** Runs {@code callback} where the call is handled: here, or on its worker once it has one. */
        private void where(final Runnable callback) {
            if (worker == null) {
                deliver(callback);
            } else {
                onWorker(() -> deliver(callback));
            }
        }

        /**
         * Runs {@code callback} unless the call failed; if it throws, the call fails, closed with its status. On a
         * worker an {@link Error} (a message too large for the heap) closes the call too: the worker's executor
         * would only log it, and the client would wait for ever.
         */
        private void deliver(final Runnable callback) {
            if (failed) {
                return;
            }
            try {
                callback.run();
            } catch (RuntimeException e) {
                failed = true;
                LOG.debug("gRPC call {} failed", call.getMethodDescriptor().getFullMethodName(), e);
                closeCall(statusOf(e), trailersOf(e));
            } catch (Error e) {
                if (worker == null) {
                    throw e; // on the event loop grpc-java catches it and closes the call
                }
                failed = true;
                LOG.warn("gRPC call {} failed", call.getMethodDescriptor().getFullMethodName(), e);
                closeCall(Status.INTERNAL.withDescription("Internal error: " + e), new Metadata());
            }
        }

        /**
         * Runs {@code task} on the call's worker in the current (the call's) context. False, and the call closed
         * UNAVAILABLE, when the worker is shutting down.
         */
        private boolean onWorker(final Runnable task) {
            if (refused) {
                return false;
            }
            final Context context = Context.current();
            try {
                worker.execute(() -> context.run(task));
                return true;
            } catch (RejectedExecutionException e) {
                refused = true;
                closeCall(Status.UNAVAILABLE.withDescription("The server is shutting down"), new Metadata());
                return false;
            }
        }

        private void closeCall(final Status status, final Metadata trailers) {
            try {
                call.close(status, trailers);
            } catch (IllegalStateException alreadyClosed) {
                LOG.debug("gRPC call {} was already closed", call.getMethodDescriptor().getFullMethodName());
            }
        }
    }

    /**
     * The status of a call whose handling threw {@code e}: its own, with what its cause says (a message that cannot
     * be parsed is INTERNAL {@code Invalid protobuf byte sequence: } and the parser's or the decompressor's reason),
     * else UNKNOWN, as grpc-java closes a call whose handler throws.
     */
    private static Status statusOf(final RuntimeException e) {
        final Status status = Status.fromThrowable(e);
        if (status.getCode() == Status.Code.UNKNOWN && status.getDescription() == null) {
            return status.withDescription("Application error processing RPC");
        }
        Throwable reason = status.getCause();
        while (reason != null && reason.getCause() != null) {
            reason = reason.getCause();
        }
        if (status.getDescription() == null || reason == null || reason.getMessage() == null) {
            return status;
        }
        return status.withDescription(status.getDescription() + ": " + (reason instanceof ZipException
                ? "the message is not what its grpc-encoding says (" + reason.getMessage() + ")"
                : reason.getMessage()));
    }

    private static Metadata trailersOf(final RuntimeException e) {
        final Metadata trailers = Status.trailersFromThrowable(e);
        return trailers == null ? new Metadata() : trailers;
    }

    private static void release(final InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("Closing a detached gRPC message failed", e);
        }
    }
}
