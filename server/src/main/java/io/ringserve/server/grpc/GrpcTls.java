package io.ringserve.server.grpc;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.ringserve.server.config.SslConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
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
        final String pkcs8;
        final SslContextBuilder builder;
        try {
            pkcs8 = PemKeys.asPkcs8(config.serverKey());
            builder = SslContextBuilder.forServer(pem(config.serverCert()), pem(pkcs8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ssl_config_file: server_cert or server_key is not usable PEM "
                    + "(the key must be unencrypted: PKCS#8, BEGIN PRIVATE KEY, or PKCS#1 RSA or SEC 1 EC): "
                    + e.getMessage(), e);
        }
        requireMatchingPair(config.serverCert(), pkcs8);
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

    /**
     * Refuses a key that is not the certificate's: TLS would only fail at every handshake ("bad signature"), where
     * TF Serving's gRPC core refuses the pair at start. Checked by signing with the key and verifying with the
     * certificate's public key; a key type without a known signature algorithm is left to the handshake.
     */
    private static void requireMatchingPair(final String certPem, final String pkcs8Pem) {
        final X509Certificate certificate;
        final PrivateKey key;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(pem(certPem));
            final String algorithm = certificate.getPublicKey().getAlgorithm();
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getMimeDecoder().decode(pkcs8Pem.replaceAll("-----[A-Z ]+-----", ""))));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            return; // not readable this way: SslContextBuilder names what is wrong with it below
        }
        final String signing = switch (certificate.getPublicKey().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (signing == null) {
            return;
        }
        try {
            final byte[] probe = "ringserve: does the key match the certificate?".getBytes(StandardCharsets.US_ASCII);
            final Signature signer = Signature.getInstance(signing);
            signer.initSign(key);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(signing);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("--ssl_config_file: server_key is not the key of server_cert ("
                        + certificate.getSubjectX500Principal().getName() + "): every TLS handshake would fail");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--ssl_config_file: server_key does not fit server_cert ("
                    + certificate.getSubjectX500Principal().getName() + "): " + e.getMessage(), e);
        }
    }

    private static InputStream pem(final String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }
}
