package io.ringserve.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A message read from protobuf text format, untyped: each field name maps to its values in file order, each a
 * {@link String} (for scalars and enum names, quotes removed) or a nested {@code TextMessage}. Immutable.
 */
public final class TextMessage {
    private final Map<String, List<Object>> fields;
    private final String text;

    TextMessage(final Map<String, List<Object>> fields, final String text) {
        final Map<String, List<Object>> copy = new LinkedHashMap<>();
        fields.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.fields = Collections.unmodifiableMap(copy);
        this.text = text;
    }

    /** The text this message was read from (a nested message's: between its braces), for another parser to read. */
    public String text() {
        return text;
    }

    /** The field names present, in the order they first appear. */
    public Set<String> fieldNames() {
        return fields.keySet();
    }

    /** Every value of {@code name}, empty when absent. */
    public List<Object> values(final String name) {
        return fields.getOrDefault(name, List.of());
    }

    /**
     * The scalar value of the singular field {@code name}.
     *
     * @throws TextFormatException when it is given twice, as TF Serving's C++ parser refuses it (protobuf's Java
     *     parser would keep the last silently), or is a message
     */
    public Optional<String> scalar(final String name) {
        final List<Object> values = singular(name);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        final Object last = values.get(0);
        if (!(last instanceof String text)) {
            throw new TextFormatException("field '" + name + "' must be a value, not a message");
        }
        return Optional.of(text);
    }

    /**
     * The last value of the bool field {@code name}, as protobuf's text format writes one ({@code true}, {@code True},
     * {@code t}, {@code 1}, or the false forms); {@code absent} when the field is not there.
     *
     * @throws TextFormatException naming the field when its value is no bool
     */
    public boolean bool(final String name, final boolean absent) {
        final Optional<String> value = scalar(name);
        if (value.isEmpty()) {
            return absent;
        }
        return switch (value.get()) {
            case "true", "True", "t", "1" -> true;
            case "false", "False", "f", "0" -> false;
            default -> throw new TextFormatException(name + " must be true or false, got '" + value.get() + "'");
        };
    }

    /**
     * The nested message of the singular field {@code name}.
     *
     * @throws TextFormatException when it is given twice (see {@link #scalar}) or is no message
     */
    public Optional<TextMessage> message(final String name) {
        final List<Object> values = singular(name);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        final Object last = values.get(0);
        if (!(last instanceof TextMessage message)) {
            throw new TextFormatException("field '" + name + "' must be a message { ... }");
        }
        return Optional.of(message);
    }

    /**
     * The one value of the singular field {@code name}: a {@link String} or a {@link TextMessage}, empty when absent.
     *
     * @throws TextFormatException when it is given twice (see {@link #scalar})
     */
    public List<Object> singular(final String name) {
        final List<Object> values = values(name);
        if (values.size() > 1) {
            throw new TextFormatException("Non-repeated field \"" + name + "\" is specified multiple times.");
        }
        return values;
    }

    /** Every nested message of the repeated field {@code name}. */
    public List<TextMessage> messages(final String name) {
        final List<TextMessage> out = new ArrayList<>();
        for (Object value : values(name)) {
            if (!(value instanceof TextMessage message)) {
                throw new TextFormatException("field '" + name + "' must be a message { ... }");
            }
            out.add(message);
        }
        return out;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
