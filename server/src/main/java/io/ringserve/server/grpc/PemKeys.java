package io.ringserve.server.grpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Private keys in the PEM forms TF Serving's gRPC (BoringSSL) takes, as the unencrypted PKCS#8 that Netty reads
 * without BouncyCastle: {@code BEGIN RSA PRIVATE KEY} (PKCS#1, what {@code openssl genrsa} wrote for years) and
 * {@code BEGIN EC PRIVATE KEY} (SEC 1, with its curve) are wrapped in a PKCS#8 {@code PrivateKeyInfo}; a PKCS#8 key
 * is left as it is. Stateless.
 */
final class PemKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (RSA|EC) PRIVATE KEY-----(.*?)-----END \\1 PRIVATE KEY-----", Pattern.DOTALL);
    /** rsaEncryption, 1.2.840.113549.1.1.1. */
    private static final byte[] RSA = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    /** id-ecPublicKey, 1.2.840.10045.2.1. */
    private static final byte[] EC = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;

    private PemKeys() {
    }

    /**
     * {@code pem} with its private key as PKCS#8 ({@code BEGIN PRIVATE KEY}).
     *
     * @throws IllegalArgumentException when the key is encrypted, or an EC key does not name its curve
     */
    static String asPkcs8(final String pem) {
        final Matcher key = PEM.matcher(pem);
        if (!key.find()) {
            return pem;
        }
        if (key.group(2).contains("ENCRYPTED")) {
            throw new IllegalArgumentException("the " + key.group(1) + " private key is encrypted; give it "
                    + "unencrypted (openssl pkcs8 -topk8 -nocrypt)");
        }
        final byte[] der = Base64.getMimeDecoder().decode(key.group(2).trim());
        final byte[] algorithm = key.group(1).equals("RSA")
                ? tlv(SEQUENCE, concat(tlv(OID, RSA), new byte[] {0x05, 0x00}))
                : tlv(SEQUENCE, concat(tlv(OID, EC), tlv(OID, curveOf(der))));
        final byte[] info = tlv(SEQUENCE, concat(new byte[] {INTEGER, 0x01, 0x00}, algorithm, tlv(OCTET_STRING, der)));
        final String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(info);
        return pem.substring(0, key.start()) + "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----"
                + pem.substring(key.end());
    }

    /** The named curve's OID in a SEC 1 {@code ECPrivateKey}: its {@code [0] parameters}. */
    private static byte[] curveOf(final byte[] sec1) {
        final Der outer = new Der(sec1, 0);
        if (outer.tag != SEQUENCE) {
            throw new IllegalArgumentException("the EC private key is not a SEC 1 ECPrivateKey");
        }
        int at = outer.start;
        while (at < outer.end) {
            final Der field = new Der(sec1, at);
            if (field.tag == 0xa0) {
                final Der curve = new Der(sec1, field.start);
                if (curve.tag == OID) {
                    final byte[] oid = new byte[curve.end - curve.start];
                    System.arraycopy(sec1, curve.start, oid, 0, oid.length);
                    return oid;
                }
            }
            at = field.end;
        }
        throw new IllegalArgumentException("the EC private key does not name its curve; give it as PKCS#8 "
                + "(openssl pkcs8 -topk8 -nocrypt)");
    }

    /** One DER element: its tag, and where its content starts and ends. */
    private static final class Der {
        final int tag;
        final int start;
        final int end;

        Der(final byte[] der, final int at) {
            if (at + 2 > der.length) {
                throw new IllegalArgumentException("the private key's DER ends early");
            }
            tag = der[at] & 0xff;
            int length = der[at + 1] & 0xff;
            int content = at + 2;
            if ((length & 0x80) != 0) {
                final int bytes = length & 0x7f;
                if (bytes == 0 || bytes > 3 || content + bytes > der.length) {
                    throw new IllegalArgumentException("the private key's DER has a bad length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = length << 8 | der[content++] & 0xff;
                }
            }
            if (content + length > der.length) {
                throw new IllegalArgumentException("the private key's DER ends early");
            }
            start = content;
            end = content + length;
        }
    }

    private static byte[] tlv(final int tag, final byte[] content) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        final int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
