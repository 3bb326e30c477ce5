package io.ringserve.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The double-arithmetic %g path must print exactly what the exact BigDecimal path prints. */
class TfNumberFormatFastPathTest {
    @Test
    void shouldAgreeWithTheExactPathOnRandomFloatsAndDoubles() {
        final Random random = new Random(11);
        for (int i = 0; i < 300_000; i++) {
            final float f = Float.intBitsToFloat(random.nextInt());
            if (Float.isFinite(f)) {
                for (int precision : new int[] {6, 9}) {
                    assertThat(TfNumberFormat.formatG(f, precision)).as("%s at %d", f, precision)
                            .isEqualTo(TfNumberFormat.exactFormatG(f, precision));
                }
            }
            final double d = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(40) - 20);
            assertThat(TfNumberFormat.formatG(d, 6)).as("%s", d).isEqualTo(TfNumberFormat.exactFormatG(d, 6));
        }
    }

    @Test
    void shouldAgreeOnValuesNearRoundingTiesAndPowersOfTen() {
        final double[] values = {0.5, 1.5, 2.5, 999999.5, 9999995, 0.0001, 0.00001, 1e-5, 99999.95, 1e22, 1e23,
            123456.5, 0.1f, 0.3f, 1f / 3, 2f / 3, 65504, 1e-45f, 3.4028235e38f, 9.99999949e-1f};
        for (double v : values) {
            for (int precision : new int[] {6, 9}) {
                assertThat(TfNumberFormat.formatG(v, precision)).as("%s at %d", v, precision)
                        .isEqualTo(TfNumberFormat.exactFormatG(v, precision));
                assertThat(TfNumberFormat.formatG(-v, precision))
                        .isEqualTo(TfNumberFormat.exactFormatG(-v, precision));
            }
        }
    }
}
