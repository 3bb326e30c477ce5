package io.ringserve.server.rest;

import io.ringserve.server.inference.ModelSelector;
import io.ringserve.server.inference.ServingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed TF Serving REST path: what to do ({@link Kind}) and with which model. Parsing follows TF Serving's
 * {@code http_rest_api_util.cc}: the same case-insensitive patterns, a case-sensitive check of the verb and of
 * {@code metadata}, URL-decoded model names and labels, and its error messages.
 */
public record TfServingRoute(Kind kind, ModelSelector model) {
    /** What the request asks for. */
    public enum Kind {
        STATUS, METADATA, PREDICT, CLASSIFY, REGRESS
    }

    private static final Pattern POST = Pattern.compile(
            "/v1/models/([^/:]+)(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?:(classify|regress|predict)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern GET = Pattern.compile(
            "/v1/models(?:/([^/:]+))?(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?(?:/(metadata))?",
            Pattern.CASE_INSENSITIVE);

    public TfServingRoute {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
    }

    /** True when the path belongs to TF Serving's API ({@code /v1/...}, any case). */
    public static boolean handles(final String path) {
        return path.regionMatches(true, 0, "/v1/", 0, 4);
    }

    /**
     * Parses {@code method} and {@code path} (without the query string).
     *
     * @throws ServingException INVALID_ARGUMENT ({@code Malformed request: POST /v1/foo}, a bad version, a missing
     *     model name)
     */
    public static TfServingRoute parse(final String method, final String path) {
        if ("POST".equals(method)) {
            final Matcher m = POST.matcher(path);
            if (m.matches()) {
                final Kind kind = switch (m.group(4)) {
                    case "predict" -> Kind.PREDICT;
                    case "classify" -> Kind.CLASSIFY;
                    case "regress" -> Kind.REGRESS;
                    default -> throw malformed(method, path);
                };
                return new TfServingRoute(kind, selector(m.group(1), m.group(2), m.group(3)));
            }
        } else if ("GET".equals(method)) {
            final Matcher m = GET.matcher(path);
            if (m.matches()) {
                if (m.group(4) != null && !m.group(4).equals("metadata")) {
                    throw malformed(method, path);
                }
                if (m.group(1) == null) {
                    throw ServingException.invalidArgument("Missing model name in request.");
                }
                final Kind kind = m.group(4) == null ? Kind.STATUS : Kind.METADATA;
                return new TfServingRoute(kind, selector(m.group(1), m.group(2), m.group(3)));
            }
        }
        throw malformed(method, path);
    }

    private static ModelSelector selector(final String name, final String version, final String label) {
        OptionalLong v = OptionalLong.empty();
        if (version != null) {
            try {
                v = OptionalLong.of(Long.parseLong(version));
            } catch (NumberFormatException e) {
                throw ServingException.invalidArgument("Failed to convert version: " + version + " to numeric.");
            }
        }
        return new ModelSelector(decode(name), v, Optional.ofNullable(label).map(TfServingRoute::decode));
    }

    /**
     * curl_easy_unescape, as TF Serving applies it: {@code %XX} with two hex digits becomes that byte; anything
     * else, {@code +} and a stray {@code %} included, stays as it is. Also for KServe V2's paths.
     */
    static String decode(final String component) {
        final byte[] in = component.getBytes(StandardCharsets.UTF_8);
        final byte[] out = new byte[in.length];
        int length = 0;
        for (int i = 0; i < in.length; i++) {
            final int high = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            final int low = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
            if (in[i] == '%' && high >= 0 && low >= 0) {
                out[length++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                out[length++] = in[i];
            }
        }
        return new String(out, 0, length, StandardCharsets.UTF_8);
    }

    private static ServingException malformed(final String method, final String path) {
        return ServingException.invalidArgument("Malformed request: " + method + " " + path);
    }
}
