package io.ringserve.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * TF Serving's {@code SSLConfig} ({@code --ssl_config_file}, protobuf text format), which turns the gRPC port into
 * TLS:
 *
 * <pre>
 * server_key: "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"
 * server_cert: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"
 * custom_ca: "-----BEGIN CERTIFICATE-----\n..."   # optional: the roots client certificates are checked against
 * client_verify: true                              # optional: clients must present a certificate
 * </pre>
 *
 * <p>PEM text as TF Serving takes it (a string may be split into adjacent literals, one per line); the key must be
 * unencrypted: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1
 * ({@code BEGIN EC PRIVATE KEY}). Immutable.
 *
 * @param serverKey the server's private key, PEM
 * @param serverCert the server's certificate chain, PEM
 * @param customCa the CA certificates client certificates must chain to, PEM; empty for the JDK's default roots
 * @param clientVerify whether clients must present a certificate that verifies
 */
public record SslConfig(String serverKey, String serverCert, String customCa, boolean clientVerify) {
    private static final Set<String> FIELDS = Set.of("server_key", "server_cert", "custom_ca", "client_verify");

    public SslConfig {
        Objects.requireNonNull(serverKey, "serverKey");
        Objects.requireNonNull(serverCert, "serverCert");
        Objects.requireNonNull(customCa, "customCa");
        if (serverKey.isBlank() || serverCert.isBlank()) {
            throw new TextFormatException("SSLConfig needs server_key and server_cert");
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws TextFormatException naming the file and what is wrong with it
     */
    public static SslConfig read(final Path file) {
        return TextFormatFiles.read(file, "SSL config file", SslConfig::parse);
    }

    /** See {@link #read}. */
    public static SslConfig parse(final String text) {
        final TextMessage config = TextFormatParser.parse(text);
        for (String field : config.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw new TextFormatException("unknown field '" + field + "' in SSLConfig (expected one of "
                        + "server_key, server_cert, custom_ca, client_verify)");
            }
        }
        return new SslConfig(config.scalar("server_key").orElse(""), config.scalar("server_cert").orElse(""),
                config.scalar("custom_ca").orElse(""), config.bool("client_verify", false));
    }

    @Override
    public String toString() {
        // Never the key.
        return "SslConfig[server_cert " + serverCert.length() + " chars, custom_ca " + customCa.length()
                + " chars, client_verify " + clientVerify + "]";
    }
}
