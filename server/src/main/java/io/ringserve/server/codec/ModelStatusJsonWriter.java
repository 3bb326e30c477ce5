package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ringserve.models.VersionStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * Writes {@code GET /v1/models/{m}} answers: the proto3 JSON form of TF Serving's {@code GetModelStatusResponse},
 * with default-valued fields printed and int64 versions as strings. Thread-safe.
 */
public final class ModelStatusJsonWriter {
    private final JsonFactory jsonFactory;

    public ModelStatusJsonWriter(final JsonFactory jsonFactory) {
        this.jsonFactory = Objects.requireNonNull(jsonFactory, "jsonFactory");
    }

    public void write(final List<VersionStatus> statuses, final OutputStream out) throws IOException {
        try (JsonGenerator gen = jsonFactory.createGenerator(out)) {
            gen.useDefaultPrettyPrinter();
            gen.writeStartObject();
            gen.writeArrayFieldStart("model_version_status");
            for (VersionStatus status : statuses) {
                gen.writeStartObject();
                gen.writeStringField("version", Long.toString(status.version()));
                gen.writeStringField("state", status.state().name());
                gen.writeObjectFieldStart("status");
                gen.writeStringField("error_code", status.errorCode());
                gen.writeStringField("error_message", status.error().orElse(""));
                gen.writeEndObject();
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeEndObject();
        }
    }
}
