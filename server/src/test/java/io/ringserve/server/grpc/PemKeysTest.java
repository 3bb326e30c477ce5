package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Private keys in the PEM forms BoringSSL takes, rewritten as the PKCS#8 that Netty reads. */
class PemKeysTest {
    /** The test server key, PKCS#8 RSA, as DER. */
    private static byte[] serverKeyPkcs8() throws IOException {
        try (InputStream in = PemKeysTest.class.getResourceAsStream("/tls/server.key")) {
            return der(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    private static byte[] der(final String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim());
    }

    private static String pem(final String type, final byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type
                + "-----\n";
    }

    /** The last {@code length} bytes of {@code der}: the PKCS#1 key at the end of a PKCS#8 RSA key. */
    private static byte[] tail(final byte[] der, final int length) {
        return Arrays.copyOfRange(der, der.length - length, der.length);
    }

    @Test
    void aPkcs1RsaKeyShouldBecomeTheSamePkcs8KeyOpenSslWrites() throws IOException {
        final byte[] pkcs8 = serverKeyPkcs8();
        // PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { RSAPrivateKey } }; the
        // RSAPrivateKey is a SEQUENCE whose long-form length tells how much of the end it takes.
        final int at = indexOfRsaPrivateKey(pkcs8);
        final byte[] pkcs1 = Arrays.copyOfRange(pkcs8, at, pkcs8.length);
        final String rewritten = PemKeys.asPkcs8("# a comment\n" + pem("RSA PRIVATE KEY", pkcs1));
        assertThat(rewritten).startsWith("# a comment\n-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        final byte[] written = der(rewritten.substring(rewritten.indexOf("-----BEGIN")));
        assertThat(written).isEqualTo(pkcs8);
        assertThat(tail(written, pkcs1.length)).isEqualTo(pkcs1);
    }

    /** Where the OCTET STRING holding the RSAPrivateKey starts its content (after the 9-byte RSA OID). */
    private static int indexOfRsaPrivateKey(final byte[] pkcs8) {
        for (int i = 0; i + 3 < pkcs8.length; i++) {
            if (pkcs8[i] == 0x05 && pkcs8[i + 1] == 0x00 && pkcs8[i + 2] == 0x04) {
                final int lengthByte = pkcs8[i + 3] & 0xff;
                return i + 4 + ((lengthByte & 0x80) != 0 ? lengthByte & 0x7f : 0);
            }
        }
        throw new AssertionError("not a PKCS#8 RSA key");
    }

    @Test
    void aSec1EcKeyNamingItsCurveShouldBecomeAPkcs8KeyJavaReads() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        final ECPrivateKey key = (ECPrivateKey) generator.generateKeyPair().getPrivate();
        final byte[] s = toFixed(key.getS(), 32);
        // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] prime256v1 }, as openssl ecparam writes.
        final byte[] prime256v1 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
        final byte[] body = concat(new byte[] {0x02, 0x01, 0x01, 0x04, 0x20}, s,
                new byte[] {(byte) 0xa0, (byte) prime256v1.length}, prime256v1);
        final byte[] sec1 = concat(new byte[] {0x30, (byte) body.length}, body);

        final byte[] pkcs8 = der(PemKeys.asPkcs8(pem("EC PRIVATE KEY", sec1)));

        final ECPrivateKey read = (ECPrivateKey) KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        assertThat(read.getS()).isEqualTo(key.getS());
        assertThat(read.getParams().getCurve()).isEqualTo(key.getParams().getCurve());
    }

    @Test
    void shouldLeavePkcs8AloneAndNameWhatItCannotRewrite() throws IOException {
        final String pkcs8 = pem("PRIVATE KEY", serverKeyPkcs8());
        assertThat(PemKeys.asPkcs8(pkcs8)).isSameAs(pkcs8);
        assertThatThrownBy(() -> PemKeys.asPkcs8("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----"))
                .hasMessageContaining("the RSA private key is encrypted");
        assertThatThrownBy(() -> PemKeys.asPkcs8(pem("EC PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})))
                .hasMessageContaining("does not name its curve");
    }

    private static byte[] toFixed(final BigInteger value, final int length) {
        final byte[] bytes = value.toByteArray();
        final byte[] fixed = new byte[length];
        final int copy = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - copy, fixed, length - copy, copy);
        return fixed;
    }

    private static byte[] concat(final byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        final byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
