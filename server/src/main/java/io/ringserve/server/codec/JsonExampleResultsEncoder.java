package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ringserve.server.inference.ExampleInference.ScoredClass;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * Writes TF Serving REST classify and regress answers: {@code {"results": [[["label", score], ..], ..]}} and
 * {@code {"results": [value, ..]}}, numbers in TF Serving's float format. Thread-safe.
 */
public final class JsonExampleResultsEncoder {
    private final JsonFactory jsonFactory;

    public JsonExampleResultsEncoder(final JsonFactory jsonFactory) {
        this.jsonFactory = Objects.requireNonNull(jsonFactory, "jsonFactory");
    }

    public void classifications(final List<List<ScoredClass>> results, final OutputStream out) throws IOException {
        try (JsonGenerator gen = jsonFactory.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("results");
            for (List<ScoredClass> example : results) {
                gen.writeStartArray();
                for (ScoredClass c : example) {
                    gen.writeStartArray();
                    gen.writeString(c.label());
                    gen.writeNumber(TfNumberFormat.formatFloat(c.score()));
                    gen.writeEndArray();
                }
                gen.writeEndArray();
            }
            gen.writeEndArray();
            gen.writeEndObject();
        }
    }

    public void regressions(final List<Float> results, final OutputStream out) throws IOException {
        try (JsonGenerator gen = jsonFactory.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("results");
            for (float value : results) {
                gen.writeNumber(TfNumberFormat.formatFloat(value));
            }
            gen.writeEndArray();
            gen.writeEndObject();
        }
    }
}
