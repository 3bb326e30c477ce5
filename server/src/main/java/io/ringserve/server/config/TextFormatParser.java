package io.ringserve.server.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads protobuf text format, the language of TF Serving's configuration files, into {@link TextMessage}s:
 * {@code name: value}, {@code name { ... }} (also {@code name: { ... }} and {@code < ... >}), repeated scalars as
 * {@code name: [a, b]}, quoted strings with C escapes, {@code #} comments, optional {@code ,} or {@code ;}
 * between fields, and {@code google.protobuf.Any} written out as {@code [type.googleapis.com/full.Name] { ... }}
 * (a field named with its brackets). Each nested message keeps its text ({@link TextMessage#text()}), for a part
 * that another parser reads. Stateless apart from the text being read; one instance per parse.
 */
public final class TextFormatParser {
    private final String text;
    private int pos;
    private int line = 1;

    private TextFormatParser(final String text) {
        this.text = text;
    }

    /**
     * Parses a whole document.
     *
     * @throws TextFormatException naming the line and what was expected
     */
    public static TextMessage parse(final String text) {
        final TextFormatParser parser = new TextFormatParser(text);
        final TextMessage message = parser.fields(null, 0);
        parser.skipSpace();
        if (parser.pos < text.length()) {
            throw parser.error("unexpected '" + text.charAt(parser.pos) + "'");
        }
        return message;
    }

    /** The fields up to {@code closing} (null: the end of the text), which begin at {@code start}. */
    private TextMessage fields(final String closing, final int start) {
        final Map<String, List<Object>> fields = new LinkedHashMap<>();
        int end;
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                if (closing != null) {
                    throw error("missing '" + closing + "'");
                }
                end = pos;
                break;
            }
            if (closing != null && text.startsWith(closing, pos)) {
                end = pos;
                pos++;
                break;
            }
            final String name = identifier();
            skipSpace();
            final boolean colon = peek(':');
            if (colon) {
                pos++;
                skipSpace();
            }
            final List<Object> values = fields.computeIfAbsent(name, n -> new ArrayList<>());
            if (peek('{') || peek('<')) {
                final String closingOfValue = peek('{') ? "}" : ">";
                pos++;
                values.add(fields(closingOfValue, pos));
            } else if (!colon) {
                throw error("expected ':' or '{' after field '" + name + "'");
            } else if (peek('[')) {
                pos++;
                list(values);
            } else {
                values.add(scalar());
            }
            skipSpace();
            if (peek(',') || peek(';')) {
                pos++;
            }
        }
        return new TextMessage(fields, text.substring(start, end));
    }

    private void list(final List<Object> values) {
        skipSpace();
        if (peek(']')) {
            pos++;
            return;
        }
        while (true) {
            skipSpace();
            values.add(peek('{') ? nestedInList() : scalar());
            skipSpace();
            if (peek(',')) {
                pos++;
            } else if (peek(']')) {
                pos++;
                return;
            } else {
                throw error("expected ',' or ']' in a list");
            }
        }
    }

    private TextMessage nestedInList() {
        pos++;
        return fields("}", pos);
    }

    private String identifier() {
        final int start = pos;
        if (peek('[')) { // an Any's type URL, or an extension: the name is everything up to ']'
            final int close = text.indexOf(']', pos);
            if (close < 0 || text.substring(pos, close).indexOf('\n') >= 0) {
                throw error("missing ']' after '[' in a field name");
            }
            pos = close + 1;
            return text.substring(start, pos).replaceAll("\\s+", "");
        }
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                || text.charAt(pos) == '.')) {
            pos++;
        }
        if (start == pos) {
            throw error("unexpected '" + text.charAt(pos) + "' where a field name was expected");
        }
        return text.substring(start, pos);
    }

    private String scalar() {
        if (peek('"') || peek('\'')) {
            final StringBuilder value = new StringBuilder();
            // Adjacent string literals concatenate, as in protobuf.
            while (peek('"') || peek('\'')) {
                value.append(quoted(text.charAt(pos)));
                skipSpace();
            }
            return value.toString();
        }
        final int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos))
                || "+-._".indexOf(text.charAt(pos)) >= 0)) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a value");
        }
        return text.substring(start, pos);
    }

    /**
     * A quoted string, its escapes undone as protobuf's text format writes them ({@code \n}, {@code \'}, octal
     * {@code \303}, hex {@code \xc3}, ...): bytes, read as UTF-8, so that Python's escaped non-ASCII paths come out
     * as they were.
     */
    private String quoted(final char quote) {
        pos++;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (pos < text.length() && text.charAt(pos) != quote) {
            final char c = text.charAt(pos++);
            if (c == '\n') {
                throw error("unterminated string");
            }
            if (c != '\\' || pos >= text.length()) {
                final byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && pos < text.length()) {
                    final byte[] pair = text.substring(pos - 1, pos + 1).getBytes(StandardCharsets.UTF_8);
                    out.write(pair, 0, pair.length);
                    pos++;
                } else {
                    out.write(utf8, 0, utf8.length);
                }
                continue;
            }
            final char escaped = text.charAt(pos++);
            switch (escaped) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case 'a' -> out.write(0x07);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'v' -> out.write(0x0B);
                case 'x', 'X' -> out.write(digits(16, 2, "\\x needs a hex digit"));
                default -> {
                    if (escaped >= '0' && escaped <= '7') {
                        pos--;
                        out.write(digits(8, 3, "an octal escape needs a digit"));
                    } else {
                        if (escaped > 0x7f) {
                            throw error("invalid escape '\\" + escaped + "'");
                        }
                        out.write(escaped); // \\, \', \", \?
                    }
                }
            }
        }
        if (pos >= text.length()) {
            throw error("unterminated string");
        }
        pos++;
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Up to {@code most} digits of {@code radix} at the position, as one byte. */
    private int digits(final int radix, final int most, final String missing) {
        int value = 0;
        int read = 0;
        while (read < most && pos < text.length() && Character.digit(text.charAt(pos), radix) >= 0) {
            value = value * radix + Character.digit(text.charAt(pos++), radix);
            read++;
        }
        if (read == 0) {
            throw error(missing);
        }
        return value & 0xFF;
    }

    private boolean peek(final char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            final char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                if (c == '\n') {
                    line++;
                }
                pos++;
            } else {
                return;
            }
        }
    }

    /** Names where parsing stopped: a line, or the end of the text (which may follow the last line's newline). */
    private TextFormatException error(final String message) {
        return new TextFormatException((pos >= text.length() ? "at the end of the file" : "line " + line) + ": "
                + message);
    }
}
