package io.ringserve.server.codec;

import java.util.Base64;

/**
 * The {@code {"b64": ...}} values of TF Serving's JSON, decoded as TF Serving decodes them (absl's
 * {@code Base64Unescape}): ASCII white space anywhere is skipped, so base64 wrapped at 76 columns (Python's
 * {@code base64.encodebytes}) is taken; any other character outside the alphabet is an error. Stateless.
 */
final class Base64Text {
    private Base64Text() {
    }

    /**
     * The bytes {@code text} encodes.
     *
     * @throws IllegalArgumentException naming the first character that is neither base64 nor white space
     */
    static byte[] decode(final String text) {
        return Base64.getDecoder().decode(hasWhiteSpace(text) ? withoutWhiteSpace(text) : text);
    }

    private static boolean hasWhiteSpace(final String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isWhiteSpace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static String withoutWhiteSpace(final String text) {
        final StringBuilder kept = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (!isWhiteSpace(c)) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    /** absl's {@code ascii_isspace}: space, tab, newline, vertical tab, form feed, carriage return. */
    private static boolean isWhiteSpace(final char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
