package io.ringserve.server;

import java.util.Random;

/** Mangles valid texts for seeded fuzz tests: the same edits for the same seed, every run. */
public final class TextMangler {
    private TextMangler() {
    }

    /**
     * {@code valid} with one or two edits at random places: one of {@code tokens} put in or over it (with a space on
     * each side when {@code spaced}), a cut, the rest dropped, or a stray character.
     */
    public static String mangle(final String valid, final Random random, final String[] tokens, final boolean spaced) {
        String text = valid;
        for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
            final int at = random.nextInt(text.length() + 1);
            final String token = spaced ? " " + tokens[random.nextInt(tokens.length)] + " "
                    : tokens[random.nextInt(tokens.length)];
            text = switch (random.nextInt(5)) {
                case 0 -> text.substring(0, at) + token + text.substring(at);
                case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(8)));
                case 2 -> text.substring(0, at) + token
                        + text.substring(Math.min(text.length(), at + 1 + random.nextInt(6)));
                case 3 -> text.substring(0, at);
                default -> text.substring(0, at) + (char) random.nextInt(256) + text.substring(at);
            };
        }
        return text;
    }
}
