package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.server.config.SslConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --ssl_config_file} on the real gRPC port: TLS with the server's certificate, and with {@code client_verify}
 * a client certificate that chains to {@code custom_ca}. The material is test-only (src/test/resources/tls).
 */
@Timeout(120)
class GrpcTlsIT {
    private static String pem(final String name) {
        try (InputStream in = GrpcTlsIT.class.getResourceAsStream("/tls/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream stream(final String name) {
        return GrpcTlsIT.class.getResourceAsStream("/tls/" + name);
    }

    private static float[] predictOver(final ManagedChannel channel) {
        final var answer = PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .predict(HalfPlusTwoOverGrpc.predict(1f, 2f, 5f)).getOutputsOrThrow("y");
        final float[] values = new float[answer.getFloatValCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = answer.getFloatVal(i);
        }
        return values;
    }

    private static void withChannel(final InferenceServer server, final SslContextBuilder client,
                                    final Consumer<ManagedChannel> calls) throws Exception {
        final NettyChannelBuilder builder = NettyChannelBuilder.forAddress("localhost", server.grpcPort());
        final ManagedChannel channel = client == null ? builder.usePlaintext().build()
                : builder.sslContext(GrpcSslContexts.configure(client).build()).build();
        try {
            calls.accept(channel);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesShouldBeRefusedAtStart() {
        // The client's key with the server's certificate: every handshake would fail ("bad signature").
        assertThatThrownBy(() -> io.ringserve.server.grpc.GrpcTls.serverContext(
                new SslConfig(pem("client.key"), pem("server.pem"), "", false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--ssl_config_file: server_key is not the key of server_cert");
    }

    @Test
    void shouldServeOverTlsAndRefusePlaintext() throws Exception {
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .grpcTls(new SslConfig(pem("server.key"), pem("server.pem"), "", false)).build()).start()) {
            withChannel(server, SslContextBuilder.forClient().trustManager(stream("ca.pem")),
                    channel -> assertThat(predictOver(channel)).containsExactly(2.5f, 3f, 4.5f));
            withChannel(server, null, channel -> assertThatThrownBy(() -> predictOver(channel))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE)));
        }
    }

    @Test
    void aPkcs1RsaKeyShouldServeTooAsBoringSslTakesIt() throws Exception {
        // The same key as PKCS#1 (BEGIN RSA PRIVATE KEY), as older openssl genrsa writes it: the PKCS#8 key's
        // last OCTET STRING, after the RSA algorithm's OID and NULL.
        final byte[] pkcs8 = java.util.Base64.getMimeDecoder().decode(pem("server.key")
                .replaceAll("-----[A-Z ]+-----", "").trim());
        int at = 0;
        while (!(pkcs8[at] == 0x05 && pkcs8[at + 1] == 0x00 && pkcs8[at + 2] == 0x04)) {
            at++;
        }
        final int lengthByte = pkcs8[at + 3] & 0xff;
        final byte[] pkcs1 = java.util.Arrays.copyOfRange(pkcs8,
                at + 4 + ((lengthByte & 0x80) != 0 ? lengthByte & 0x7f : 0), pkcs8.length);
        final String rsaKey = "-----BEGIN RSA PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(pkcs1) + "\n-----END RSA PRIVATE KEY-----\n";
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .grpcTls(new SslConfig(rsaKey, pem("server.pem"), "", false)).build()).start()) {
            withChannel(server, SslContextBuilder.forClient().trustManager(stream("ca.pem")),
                    channel -> assertThat(predictOver(channel)).containsExactly(2.5f, 3f, 4.5f));
        }
    }

    @Test
    void clientVerifyShouldRequireACertificateFromTheCustomCa() throws Exception {
        try (InferenceServer server = new InferenceServer(HalfPlusTwoOverGrpc.config()
                .grpcTls(new SslConfig(pem("server.key"), pem("server.pem"), pem("ca.pem"), true)).build()).start()) {
            withChannel(server, SslContextBuilder.forClient().trustManager(stream("ca.pem"))
                            .keyManager(stream("client.pem"), stream("client.key")),
                    channel -> assertThat(predictOver(channel)).containsExactly(2.5f, 3f, 4.5f));
            withChannel(server, SslContextBuilder.forClient().trustManager(stream("ca.pem")),
                    channel -> assertThatThrownBy(() -> predictOver(channel))
                            .isInstanceOf(StatusRuntimeException.class));
        }
    }
}
