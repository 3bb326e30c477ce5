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
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Builds the REST responses: JSON bodies with {@code Content-Type: application/json}, and the one error shape
 * {@code {"error": "<message>"}} with the HTTP status of the error's {@link StatusCode}; a full queue adds
 * {@code Retry-After}. Thread-safe.
 */
public final class RestResponses {
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

    /** The error response for any failure: a {@link ServingException}'s own status, else 500. */
    public FullHttpResponse error(final ByteBufAllocator alloc, final Throwable failure) {
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

    /** An error response of {@code status}, one TensorFlow's status codes have no word for (413), in the same JSON. */
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
