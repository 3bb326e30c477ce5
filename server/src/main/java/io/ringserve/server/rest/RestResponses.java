package io.ringserve.server.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Builds the REST responses: JSON bodies with {@code Content-Type: application/json}, and the one error shape
 * {@code {"error": "<message>"}} with the HTTP status of the error's {@link StatusCode}; a full queue adds
 * {@code Retry-After}, a path asked with a method it is not served with ({@link MethodNotAllowedException}) 405 and
 * {@code Allow}. Thread-safe.
 */
public final class RestResponses {
    /**
     * A request's path is served, but not with its method: answered 405 Method Not Allowed, with an {@code Allow}
     * header listing the methods that are (RFC 9110, section 15.5.6), in the usual {@code {"error"}} body. Thrown
     * where a route finds the method wrong; {@link #error(ByteBufAllocator, Throwable)} answers it.
     */
    public static final class MethodNotAllowedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient List<HttpMethod> allowed;

        /** @param allowed the methods {@code path} is served with, in the order {@code Allow} lists them */
        public MethodNotAllowedException(final HttpMethod method, final String path, final List<HttpMethod> allowed) {
            super(method + " " + path + " is not served; use " + names(allowed), null, false, false);
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("allowed must name at least one method");
            }
            this.allowed = List.copyOf(allowed);
        }

        /** The methods health probes, metadata and metrics are served with (HEAD: the GET answer's head alone). */
        public static final List<HttpMethod> GET_OR_HEAD = List.of(HttpMethod.GET, HttpMethod.HEAD);

        /**
         * Throws this, naming {@code path} and {@code allowed}, unless {@code method} is one of {@code allowed}.
         *
         * @throws MethodNotAllowedException when it is not
         */
        public static void requireOneOf(final HttpMethod method, final String path, final List<HttpMethod> allowed) {
            if (!allowed.contains(method)) {
                throw new MethodNotAllowedException(method, path, allowed);
            }
        }

        /** The value of the {@code Allow} header: the methods, comma separated. */
        String allowHeader() {
            return names(allowed);
        }

        private static String names(final List<HttpMethod> methods) {
            return methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
        }
    }

    /** Seconds a client is asked to wait before retrying a request the server shed. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final JsonFactory jsonFactory;

    public RestResponses(final JsonFactory jsonFactory) {
        this.jsonFactory = Objects.requireNonNull(jsonFactory, "jsonFactory");
    }

    /** Writes a JSON body. */
    @FunctionalInterface
    public interface BodyWriter {
        void write(OutputStream out) throws IOException;
    }

    /** A JSON response whose body {@code writer} produces; the buffer is released if the writer fails. */
    public FullHttpResponse json(final ByteBufAllocator alloc, final HttpResponseStatus status,
                                 final BodyWriter writer) {
        final ByteBuf body = alloc.buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            writer.write(out);
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    /**
     * The error response for any failure: a {@link ServingException}'s own status, 405 with {@code Allow} for a
     * {@link MethodNotAllowedException}, else 500.
     */
    public FullHttpResponse error(final ByteBufAllocator alloc, final Throwable failure) {
        if (ServingException.unwrap(failure) instanceof MethodNotAllowedException wrongMethod) {
            final FullHttpResponse response = error(alloc, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    wrongMethod.getMessage());
            response.headers().set(HttpHeaderNames.ALLOW, wrongMethod.allowHeader());
            return response;
        }
        final ServingException error = ServingException.of(failure);
        final FullHttpResponse response = json(alloc, httpStatus(error.code()), out -> {
            try (JsonGenerator gen = jsonFactory.createGenerator(out)) {
                gen.writeStartObject();
                gen.writeStringField("error", error.getMessage());
                gen.writeEndObject();
            }
        });
        if (error.code() == StatusCode.UNAVAILABLE) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response;
    }

    /**
     * An error response of {@code status}, one TensorFlow's status codes have no word for (405, 413, 414, 415,
     * 431), in the same JSON.
     */
    public FullHttpResponse error(final ByteBufAllocator alloc, final HttpResponseStatus status, final String message) {
        return json(alloc, status, out -> {
            try (JsonGenerator gen = jsonFactory.createGenerator(out)) {
                gen.writeStartObject();
                gen.writeStringField("error", message);
                gen.writeEndObject();
            }
        });
    }

    static HttpResponseStatus httpStatus(final StatusCode code) {
        if (code == StatusCode.CANCELLED) {
            return new HttpResponseStatus(499, "Client Closed Request");
        }
        return HttpResponseStatus.valueOf(code.httpStatus());
    }
}
