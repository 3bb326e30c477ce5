package io.ringserve.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes {@code GET /v1/models/{m}/metadata} answers as TF Serving does: {@code model_spec} (name, empty
 * signature_name, resolved version) and {@code metadata.signature_def.signature_def}, every SignatureDef in proto3
 * JSON with the proto field names, default values printed and int64 sizes as strings. Thread-safe.
 */
public final class ModelMetadataJsonWriter {
    private final JsonFactory jsonFactory;

    public ModelMetadataJsonWriter(final JsonFactory jsonFactory) {
        this.jsonFactory = Objects.requireNonNull(jsonFactory, "jsonFactory");
    }

    public void write(final LoadedModel model, final OutputStream out) throws IOException {
        try (JsonGenerator gen = jsonFactory.createGenerator(out)) {
            gen.useDefaultPrettyPrinter();
            gen.writeStartObject();
            gen.writeObjectFieldStart("model_spec");
            gen.writeStringField("name", model.name());
            gen.writeStringField("signature_name", "");
            gen.writeStringField("version", Long.toString(model.version()));
            gen.writeEndObject();
            gen.writeObjectFieldStart("metadata");
            gen.writeObjectFieldStart("signature_def");
            gen.writeObjectFieldStart("signature_def");
            final List<SignatureSpec> signatures = model.signatures().stream()
                    .sorted(Comparator.comparing(SignatureSpec::key)).toList();
            for (SignatureSpec signature : signatures) {
                gen.writeFieldName(signature.key());
                writeSignature(gen, signature);
            }
            gen.writeEndObject();
            gen.writeEndObject();
            gen.writeEndObject();
            gen.writeEndObject();
        }
    }

    private static void writeSignature(final JsonGenerator gen, final SignatureSpec signature) throws IOException {
        gen.writeStartObject();
        writeTensorMap(gen, "inputs", signature.inputs());
        writeTensorMap(gen, "outputs", signature.outputs());
        gen.writeStringField("method_name", signature.methodName());
        // SignatureDef.defaults (field 4): ringserve reads no input defaults, and TF Serving prints the empty map.
        gen.writeObjectFieldStart("defaults");
        gen.writeEndObject();
        gen.writeEndObject();
    }

    private static void writeTensorMap(final JsonGenerator gen, final String field, final Map<String, TensorSpec> specs)
            throws IOException {
        gen.writeObjectFieldStart(field);
        for (TensorSpec spec : specs.values()) {
            gen.writeObjectFieldStart(spec.alias());
            gen.writeStringField("dtype", spec.dtypeName());
            if (spec.shape().isPresent()) {
                writeShape(gen, spec.shape().get());
            }
            if (!spec.tensorName().isEmpty()) {
                gen.writeStringField("name", spec.tensorName());
            }
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    private static void writeShape(final JsonGenerator gen, final TensorSpec.Shape shape) throws IOException {
        gen.writeObjectFieldStart("tensor_shape");
        gen.writeArrayFieldStart("dim");
        for (int i = 0; i < shape.dims().size(); i++) {
            gen.writeStartObject();
            gen.writeStringField("size", Long.toString(shape.dims().get(i)));
            gen.writeStringField("name", shape.dimNames().get(i));
            gen.writeEndObject();
        }
        gen.writeEndArray();
        gen.writeBooleanField("unknown_rank", shape.unknownRank());
        gen.writeEndObject();
    }
}
