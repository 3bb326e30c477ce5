package io.ringserve.server.codec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats floating-point numbers the way TF Serving's REST API prints them: C's {@code %g} with 6 significant
 * digits when that round-trips, else with {@code max_digits10} (9 for float, 17 for double); {@code .0} appended
 * to integral values ({@code 3.0}, but {@code 9e+06}); non-finite values as the bare tokens {@code NaN},
 * {@code Infinity} and {@code -Infinity}. Stateless and thread-safe.
 */
public final class TfNumberFormat {
    private static final int SHORT_DIGITS = 6;
    private static final int FLOAT_MAX_DIGITS = 9;
    private static final int DOUBLE_MAX_DIGITS = 17;

    private TfNumberFormat() {
    }

    /** {@code value} as TF Serving prints a DT_FLOAT. */
    public static String formatFloat(final float value) {
        if (!Float.isFinite(value)) {
            return nonFinite(value);
        }
        String text = formatG(value, SHORT_DIGITS);
        if (Float.parseFloat(text) != value) {
            text = formatG(value, FLOAT_MAX_DIGITS);
        }
        return withDecimalPoint(text);
    }

    /** {@code value} as TF Serving prints a DT_DOUBLE. */
    public static String formatDouble(final double value) {
        if (!Double.isFinite(value)) {
            return nonFinite(value);
        }
        String text = formatG(value, SHORT_DIGITS);
        if (Double.parseDouble(text) != value) {
            text = formatG(value, DOUBLE_MAX_DIGITS);
        }
        return withDecimalPoint(text);
    }

    private static String nonFinite(final double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        return value > 0 ? "Infinity" : "-Infinity";
    }

    /** C's {@code printf("%.<precision>g", value)} for a finite value, rounding half to even on the exact binary value. */
    static String formatG(final double value, final int precision) {
        if (value == 0) {
            return (Double.doubleToRawLongBits(value) < 0) ? "-0" : "0";
        }
        final BigDecimal rounded = new BigDecimal(value).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        final int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= precision) {
            return scientific(rounded, exponent);
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    private static String scientific(final BigDecimal rounded, final int exponent) {
        String digits = rounded.unscaledValue().abs().toString();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(0, end);
        final StringBuilder out = new StringBuilder(16);
        if (rounded.signum() < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        final int magnitude = Math.abs(exponent);
        if (magnitude < 10) {
            out.append('0');
        }
        return out.append(magnitude).toString();
    }

    private static String withDecimalPoint(final String text) {
        return text.indexOf('.') >= 0 || text.indexOf('e') >= 0 ? text : text + ".0";
    }
}
