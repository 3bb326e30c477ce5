package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ringserve.models.HostTensor;
import io.ringserve.server.inference.ServingException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * Writes TF Serving REST predict responses: {@code {"predictions": [..]}} for row-format requests (one entry per
 * batch row; an object per row when there are several outputs) and {@code {"outputs": ..}} for columnar ones.
 * Numbers use {@link TfNumberFormat}; string outputs whose alias ends in {@code _bytes} are written as
 * {@code {"b64": ..}}. Thread-safe.
 */
public final class JsonPredictResponseEncoder {
    private static final String BYTES_SUFFIX = "_bytes";

    private final JsonFactory jsonFactory;

    public JsonPredictResponseEncoder(final JsonFactory jsonFactory) {
        this.jsonFactory = Objects.requireNonNull(jsonFactory, "jsonFactory");
    }

    /**
     * Checks that {@code outputs} can be written in the requested format, before a byte is written.
     *
     * @throws ServingException INVALID_ARGUMENT in TF Serving's words when they cannot
     */
    public void validate(final Map<String, HostTensor> outputs, final boolean rowFormat) {
        if (outputs.isEmpty()) {
            throw ServingException.invalidArgument("Cannot convert empty tensor map to JSON");
        }
        long batch = -1;
        for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
            final HostTensor tensor = e.getValue();
            TensorJsonWriter.requireWritable(e.getKey(), tensor);
            if (!rowFormat) {
                continue;
            }
            if (tensor.rank() == 0) {
                throw ServingException.invalidArgument("Tensor name: " + e.getKey() + " has no shape information");
            }
            if (batch >= 0 && tensor.dim(0) != batch) {
                throw ServingException.invalidArgument("Tensor name: " + e.getKey()
                        + " has inconsistent batch size: " + tensor.dim(0) + " expecting: " + batch);
            }
            batch = tensor.dim(0);
        }
    }

    /** Writes the response body; call {@link #validate} first. */
    public void encode(final Map<String, HostTensor> outputs, final boolean rowFormat, final OutputStream out)
            throws IOException {
        try (JsonGenerator gen = jsonFactory.createGenerator(out)) {
            gen.writeStartObject();
            if (rowFormat) {
                gen.writeFieldName("predictions");
                writeRows(gen, outputs);
            } else {
                gen.writeFieldName("outputs");
                writeColumns(gen, outputs);
            }
            gen.writeEndObject();
        }
    }

    private static void writeRows(final JsonGenerator gen, final Map<String, HostTensor> outputs)
            throws IOException {
        final HostTensor first = outputs.values().iterator().next();
        final long rows = first.dim(0);
        gen.writeStartArray();
        for (long row = 0; row < rows; row++) {
            if (outputs.size() == 1) {
                TensorJsonWriter.writeRow(gen, first, row, isBytes(outputs.keySet().iterator().next()));
                continue;
            }
            gen.writeStartObject();
            for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
                gen.writeFieldName(e.getKey());
                TensorJsonWriter.writeRow(gen, e.getValue(), row, isBytes(e.getKey()));
            }
            gen.writeEndObject();
        }
        gen.writeEndArray();
    }

    private static void writeColumns(final JsonGenerator gen, final Map<String, HostTensor> outputs)
            throws IOException {
        if (outputs.size() == 1) {
            final Map.Entry<String, HostTensor> only = outputs.entrySet().iterator().next();
            TensorJsonWriter.writeWhole(gen, only.getValue(), isBytes(only.getKey()));
            return;
        }
        gen.writeStartObject();
        for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
            gen.writeFieldName(e.getKey());
            TensorJsonWriter.writeWhole(gen, e.getValue(), isBytes(e.getKey()));
        }
        gen.writeEndObject();
    }

    private static boolean isBytes(final String alias) {
        return alias.endsWith(BYTES_SUFFIX);
    }

    /** Base64 as TF Serving writes it (standard alphabet, padded). */
    static String base64(final byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
