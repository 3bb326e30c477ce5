package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TfNumberFormatTest {
    /** Either plain decimal with a fraction, or C's {@code %e} form with a signed exponent of two or more digits. */
    private static final Pattern SHAPE = Pattern.compile("-?(?:(\\d+)\\.(\\d+)|(\\d)(?:\\.(\\d+))?e[+-]\\d{2,3})");
    private static final int SAMPLES = 200_000;

    // Expected strings were produced by C's printf (through Python's %-formatting) with TF Serving's rule:
    // %g, then %.9g (float) / %.17g (double) when %g does not round-trip, then ".0" when there is no '.' or 'e'.
    @ParameterizedTest(name = "{0}f -> {1}")
    @CsvSource(delimiter = '|', value = {
        "3            | 3.0",
        "-3           | -3.0",
        "9000000      | 9e+06",
        "1000000      | 1e+06",
        "2.5          | 2.5",
        "-1.5         | -1.5",
        "0.5          | 0.5",
        "0.1          | 0.1",
        "0.3          | 0.3",
        "1e-5         | 1e-05",
        "0.0001       | 0.0001",
        "-1e-10       | -1e-10",
        "100          | 100.0",
        "123456       | 123456.0",
        "1234567      | 1234567.0",
        "123456789    | 123456792.0",
        "16777217     | 16777216.0",
        "999999.5     | 999999.5",
        "65504        | 65504.0",
        "1e38         | 1e+38",
        "3.4028235e38 | 3.40282347e+38",
        "1.4e-45      | 1.4013e-45",
        "0            | 0.0",
    })
    void shouldFormatFloatsAsTfServingDoes(final float value, final String expected) {
        assertThat(TfNumberFormat.formatFloat(value)).isEqualTo(expected);
    }

    @Test
    void shouldUseNineDigitsForAThirdBecauseSixDoNotRoundTrip() {
        final float third = 1f / 3f;
        final String text = TfNumberFormat.formatFloat(third);
        assertThat(text).isEqualTo("0.333333343");
        assertThat(Float.parseFloat(text)).isEqualTo(third);
        assertThat(TfNumberFormat.formatFloat(2f / 3f)).isEqualTo("0.666666687");
    }

    @Test
    void shouldKeepTheSignOfNegativeZero() {
        assertThat(TfNumberFormat.formatFloat(-0.0f)).isEqualTo("-0.0");
        assertThat(TfNumberFormat.formatDouble(-0.0)).isEqualTo("-0.0");
        assertThat(TfNumberFormat.formatDouble(0.0)).isEqualTo("0.0");
    }

    @Test
    void shouldWriteNonFiniteFloatsAsBareTokens() {
        assertThat(TfNumberFormat.formatFloat(Float.NaN)).isEqualTo("NaN");
        assertThat(TfNumberFormat.formatFloat(Float.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(TfNumberFormat.formatFloat(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(TfNumberFormat.formatFloat(Float.intBitsToFloat(0x7fc00123))).isEqualTo("NaN");
    }

    @Test
    void shouldWriteNonFiniteDoublesAsBareTokens() {
        assertThat(TfNumberFormat.formatDouble(Double.NaN)).isEqualTo("NaN");
        assertThat(TfNumberFormat.formatDouble(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(TfNumberFormat.formatDouble(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "3                       | 3.0",
        "9e6                     | 9e+06",
        "0.1                     | 0.1",
        "1e-5                    | 1e-05",
        "-2.5e-7                 | -2.5e-07",
        "0.5                     | 0.5",
        "100                     | 100.0",
        "1e15                    | 1e+15",
        "1e21                    | 1e+21",
        "1e100                   | 1e+100",
        "123456789               | 123456789.0",
        "9007199254740994        | 9007199254740994.0",
        "10000000000000002       | 10000000000000002.0",
        "12345678901234567890    | 1.2345678901234567e+19",
        "0.30000000000000004     | 0.30000000000000004",
        "3.141592653589793       | 3.1415926535897931",
        "0.3333333333333333      | 0.33333333333333331",
        "1.7976931348623157e308  | 1.7976931348623157e+308",
        "2.2250738585072014e-308 | 2.2250738585072014e-308",
        "4.9e-324                | 4.94066e-324",
    })
    void shouldFormatDoublesAsTfServingDoes(final double value, final String expected) {
        assertThat(TfNumberFormat.formatDouble(value)).isEqualTo(expected);
    }

    @Test
    void shouldNeedSeventeenDigitsForSomeDoubles() {
        final double sum = 0.1 + 0.2;
        final String text = TfNumberFormat.formatDouble(sum);
        assertThat(text).isEqualTo("0.30000000000000004");
        assertThat(Double.parseDouble(text)).isEqualTo(sum);
    }

    @Test
    void shouldFormatLikeCPrintfG() {
        assertThat(TfNumberFormat.formatG(0.000123456789, 6)).isEqualTo("0.000123457");
        assertThat(TfNumberFormat.formatG(0.0000123456789, 6)).isEqualTo("1.23457e-05");
        assertThat(TfNumberFormat.formatG(123456.0, 6)).isEqualTo("123456");
        assertThat(TfNumberFormat.formatG(1234567.0, 6)).isEqualTo("1.23457e+06");
        assertThat(TfNumberFormat.formatG(999999.5, 6)).isEqualTo("1e+06");
        assertThat(TfNumberFormat.formatG(-1.5, 6)).isEqualTo("-1.5");
        assertThat(TfNumberFormat.formatG(0.125, 2)).isEqualTo("0.12");
        assertThat(TfNumberFormat.formatG(0.375, 2)).isEqualTo("0.38");
        assertThat(TfNumberFormat.formatG(1e-300, 6)).isEqualTo("1e-300");
    }

    @Test
    void shouldRoundTripRandomFloats() {
        final SplittableRandom random = new SplittableRandom(20240531L);
        for (int i = 0; i < SAMPLES; i++) {
            final float value = i % 2 == 0
                    ? Float.intBitsToFloat(random.nextInt())
                    : (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-12, 12)));
            if (!Float.isFinite(value)) {
                continue;
            }
            final String text = TfNumberFormat.formatFloat(value);
            assertThat(Float.floatToRawIntBits(Float.parseFloat(text)))
                    .as("formatFloat(%s) = %s", value, text)
                    .isEqualTo(Float.floatToRawIntBits(value));
            assertWellFormed(text, 9);
        }
    }

    @Test
    void shouldRoundTripRandomDoubles() {
        final SplittableRandom random = new SplittableRandom(987654321L);
        for (int i = 0; i < SAMPLES; i++) {
            final double value = i % 2 == 0
                    ? Double.longBitsToDouble(random.nextLong())
                    : (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-20, 20));
            if (!Double.isFinite(value)) {
                continue;
            }
            final String text = TfNumberFormat.formatDouble(value);
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(text)))
                    .as("formatDouble(%s) = %s", value, text)
                    .isEqualTo(Double.doubleToRawLongBits(value));
            assertWellFormed(text, 17);
        }
    }

    @Test
    void shouldRoundTripRandomIntegralFloatsWithDecimalPoint() {
        final SplittableRandom random = new SplittableRandom(42L);
        for (int i = 0; i < 10_000; i++) {
            final float value = random.nextInt(-16_777_216, 16_777_217);
            final String text = TfNumberFormat.formatFloat(value);
            assertThat(Float.parseFloat(text)).as("formatFloat(%s) = %s", value, text).isEqualTo(value);
            assertThat(text).as("formatFloat(%s)", value).containsAnyOf(".", "e");
        }
    }

    /** The text is %g-shaped: no trailing fraction zeros (except a lone ".0") and at most {@code maxDigits}. */
    private static void assertWellFormed(final String text, final int maxDigits) {
        final Matcher m = SHAPE.matcher(text);
        assertThat(m.matches()).as("shape of %s", text).isTrue();
        String digits;
        if (m.group(1) != null) {
            final String fraction = m.group(2);
            assertThat(fraction.equals("0") || !fraction.endsWith("0")).as("trailing zeros in %s", text).isTrue();
            digits = (m.group(1) + fraction).replaceFirst("^0+", "").replaceFirst("0+$", "");
        } else {
            final String fraction = m.group(4) == null ? "" : m.group(4);
            assertThat(fraction).as("trailing zeros in %s", text).doesNotEndWith("0");
            assertThat(m.group(3)).as("leading digit of %s", text).isNotEqualTo("0");
            digits = m.group(3) + fraction;
        }
        if (digits.isEmpty()) {
            digits = "0";
        }
        assertThat(digits.length()).as("significant digits of %s", text).isBetween(1, maxDigits);
    }
}
