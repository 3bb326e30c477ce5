package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecimalFastPathTest {
    private static double parse(final String text) {
        return DecimalFastPath.parse(text.toCharArray(), 0, text.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "0.0", "-0.0", "1", "-12", "3.5", "0.4721", "123456789012345",
        "0.000000000000000000001", "99999.99999", "-7.25", "1.", "000123.4500"})
    void shouldParsePlainDecimalsExactlyAsTheJdk(final String text) {
        assertThat(Double.doubleToRawLongBits(parse(text)))
                .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e5", "1.5E-3", "1234567890123456", "0.12345678901234567", "NaN", "Infinity",
        "-Infinity", "-", ".", "", "1.2.3", "0.00000000000000000000001"})
    void shouldLeaveEverythingElseToTheGeneralParser(final String text) {
        assertThat(parse(text)).isNaN();
    }

    @Test
    void shouldAgreeWithTheJdkOnManyRandomDecimals() {
        final Random random = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            final String text = String.format(Locale.ROOT, "%." + random.nextInt(10) + "f",
                    (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(8)));
            final double fast = parse(text);
            if (!Double.isNaN(fast)) {
                assertThat(fast).as(text).isEqualTo(Double.parseDouble(text));
                assertThat((float) fast).as(text).isEqualTo((float) Double.parseDouble(text));
            }
        }
    }
}
