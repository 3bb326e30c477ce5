package io.ringserve.server.grpc;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.ringserve.server.config.SslConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/**
 * The TLS context of the gRPC port from TF Serving's {@code SSLConfig}: the server's key and certificate, the client
 * certificate roots ({@code custom_ca}) and whether a client certificate is required ({@code client_verify}), with
 * HTTP/2's ALPN as gRPC needs it. Stateless.
 */
public final class GrpcTls {
    private GrpcTls() {
    }

    /**
     * A server context for {@code config}.
     *
     * @throws IllegalArgumentException naming the field whose PEM cannot be read, or why the context cannot be made
     */
    public static SslContext serverContext(final SslConfig config) {
        final SslContextBuilder builder;
        try {
            builder = SslContextBuilder.forServer(pem(config.serverCert()),
                    pem(PemKeys.asPkcs8(config.serverKey())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ssl_config_file: server_cert or server_key is not usable PEM "
                    + "(the key must be unencrypted: PKCS#8, BEGIN PRIVATE KEY, or PKCS#1 RSA or SEC 1 EC): "
                    + e.getMessage(), e);
        }
        if (!config.customCa().isEmpty()) {
            try {
                builder.trustManager(pem(config.customCa()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--ssl_config_file: custom_ca is not usable PEM: "
                        + e.getMessage(), e);
            }
        }
        builder.clientAuth(config.clientVerify() ? ClientAuth.REQUIRE : ClientAuth.NONE);
        try {
            return GrpcSslContexts.configure(builder).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--ssl_config_file: cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static InputStream pem(final String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }
}
