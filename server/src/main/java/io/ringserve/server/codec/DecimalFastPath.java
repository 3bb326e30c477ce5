package io.ringserve.server.codec;

/**
 * Parses the plain decimals that make up almost every JSON tensor ({@code 0.4721}, {@code -12}, {@code 3.5}) without
 * going through a general floating-point parser. Exact: it only answers when the decimal has at most 15 significant
 * digits and at most 22 fraction digits, so that mantissa and power of ten are both exact doubles and their
 * quotient is the correctly rounded double (Clinger's fast path). Anything else (exponents, long digit strings,
 * {@code NaN}) gets {@link #NOT_HANDLED} and goes to Jackson's parser. Stateless.
 */
final class DecimalFastPath {
    /** Returned when the text is not a plain short decimal; callers then parse it the general way. */
    static final double NOT_HANDLED = Double.NaN;

    /** Most significant digits a mantissa may have: below 2^53, so it is an exact double. */
    static final int MAX_DIGITS = 15;
    /** Most fraction digits: 10^22 is the largest power of ten that is an exact double. */
    static final int MAX_FRACTION_DIGITS = 22;
    private static final double[] POWERS_OF_TEN = new double[MAX_FRACTION_DIGITS + 1];

    static {
        double power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    private DecimalFastPath() {
    }

    /** The value of {@code text[offset, offset + length)}, or {@link #NOT_HANDLED}. */
    static double parse(final char[] text, final int offset, final int length) {
        int i = offset;
        final int end = offset + length;
        boolean negative = false;
        if (i < end && text[i] == '-') {
            negative = true;
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int fractionDigits = -1;
        boolean sawDigit = false;
        for (; i < end; i++) {
            final char c = text[i];
            if (c >= '0' && c <= '9') {
                sawDigit = true;
                if (mantissa != 0 || c != '0') {
                    if (++digits > MAX_DIGITS) {
                        return NOT_HANDLED;
                    }
                }
                mantissa = mantissa * 10 + (c - '0');
                if (fractionDigits >= 0) {
                    fractionDigits++;
                }
            } else if (c == '.' && fractionDigits < 0) {
                fractionDigits = 0;
            } else {
                return NOT_HANDLED;
            }
        }
        if (!sawDigit || fractionDigits > MAX_FRACTION_DIGITS) {
            return NOT_HANDLED;
        }
        return exact(negative, mantissa, Math.max(fractionDigits, 0));
    }

    /**
     * The correctly rounded double of {@code ±mantissa / 10^fractionDigits}, for a mantissa of at most
     * {@link #MAX_DIGITS} digits and at most {@link #MAX_FRACTION_DIGITS} fraction digits (callers check).
     */
    static double exact(final boolean negative, final long mantissa, final int fractionDigits) {
        final double value = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits] : mantissa;
        return negative ? -value : value;
    }
}
