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
    /** Up to this many digits, double arithmetic decides the rounding (see {@link #fastFormatG}). */
    private static final int MAX_FAST_DIGITS = 9;
    private static final double TIE_MARGIN = 1e-6;
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        double power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

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

    /**
     * C's {@code printf("%.<precision>g", value)} for a finite value, rounding half to even on the exact binary value.
     */
    static String formatG(final double value, final int precision) {
        if (value == 0) {
            return (Double.doubleToRawLongBits(value) < 0) ? "-0" : "0";
        }
        if (precision <= MAX_FAST_DIGITS) {
            final String fast = fastFormatG(value, precision);
            if (fast != null) {
                return fast;
            }
        }
        return exactFormatG(value, precision);
    }

    /** {@link #formatG} on the exact decimal expansion; the reference the fast path must agree with. */
    static String exactFormatG(final double value, final int precision) {
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

    /**
     * {@link #formatG} in double arithmetic: scale the value to {@code precision} integer digits with one exactly
     * rounded multiplication or division by an exact power of ten (error below 2^-53 relative, so under 1e-6 of a
     * unit for up to 9 digits) and round. Returns null, for the exact path, when the scaled value lies too close to
     * a rounding tie to decide, or the power of ten is not exact.
     */
    private static String fastFormatG(final double value, final int precision) {
        final double magnitude = Math.abs(value);
        int exponent = (int) Math.floor(Math.log10(magnitude));
        for (int attempt = 0; attempt < 2; attempt++) {
            final int shift = precision - 1 - exponent;
            if (Math.abs(shift) >= POWERS_OF_TEN.length) {
                return null;
            }
            final double scaled = shift >= 0 ? magnitude * POWERS_OF_TEN[shift] : magnitude / POWERS_OF_TEN[-shift];
            if (scaled >= POWERS_OF_TEN[precision]) {
                exponent++;
                continue;
            }
            if (scaled < POWERS_OF_TEN[precision - 1]) {
                exponent--;
                continue;
            }
            final double floor = Math.floor(scaled);
            if (Math.abs(scaled - floor - 0.5) < TIE_MARGIN) {
                return null;
            }
            long digits = (long) Math.rint(scaled);
            int finalExponent = exponent;
            if (digits == (long) POWERS_OF_TEN[precision]) {
                digits /= 10;
                finalExponent++;
            }
            return layout(value < 0, Long.toString(digits), finalExponent, precision);
        }
        return null;
    }

    /** %g's layout of {@code digits} (exactly {@code precision} of them) times 10^(exponent - precision + 1). */
    private static String layout(final boolean negative, final String digits, final int exponent,
                                 final int precision) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        final String significant = digits.substring(0, end);
        final StringBuilder out = new StringBuilder(24);
        if (negative) {
            out.append('-');
        }
        if (exponent < -4 || exponent >= precision) {
            out.append(significant.charAt(0));
            if (significant.length() > 1) {
                out.append('.').append(significant, 1, significant.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            if (Math.abs(exponent) < 10) {
                out.append('0');
            }
            return out.append(Math.abs(exponent)).toString();
        }
        if (exponent < 0) {
            out.append("0.");
            for (int i = -1; i > exponent; i--) {
                out.append('0');
            }
            return out.append(significant).toString();
        }
        if (significant.length() <= exponent + 1) {
            out.append(significant);
            for (int i = significant.length(); i <= exponent; i++) {
                out.append('0');
            }
            return out.toString();
        }
        return out.append(significant, 0, exponent + 1).append('.')
                .append(significant, exponent + 1, significant.length()).toString();
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
