package io.ringserve.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SslConfigTest {
    @Test
    void shouldReadTfServingsFieldsWithPemSplitIntoAdjacentLiterals() {
        final SslConfig config = SslConfig.parse("""
                # TF Serving's SSLConfig
                server_key: "-----BEGIN PRIVATE KEY-----\\n"
                            "MIIEv...\\n"
                            "-----END PRIVATE KEY-----\\n"
                server_cert: '-----BEGIN CERTIFICATE-----\\nMIID...\\n-----END CERTIFICATE-----\\n'
                custom_ca: "-----BEGIN CERTIFICATE-----\\nMIIC...\\n-----END CERTIFICATE-----\\n"
                client_verify: true
                """);
        assertThat(config.serverKey()).isEqualTo("-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----\n");
        assertThat(config.serverCert()).startsWith("-----BEGIN CERTIFICATE-----\nMIID");
        assertThat(config.customCa()).contains("MIIC...");
        assertThat(config.clientVerify()).isTrue();
        assertThat(config.toString()).doesNotContain("MIIEv").contains("client_verify true");
    }

    @Test
    void shouldDefaultToNoCustomCaAndNoClientVerification() {
        final SslConfig config = SslConfig.parse("server_key: \"k\" server_cert: \"c\"");
        assertThat(config.customCa()).isEmpty();
        assertThat(config.clientVerify()).isFalse();
    }

    @Test
    void shouldNameWhatIsWrong() {
        assertThatThrownBy(() -> SslConfig.parse("server_key: \"k\" server_cert: \"c\" client_key: \"x\""))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("unknown field 'client_key'");
        assertThatThrownBy(() -> SslConfig.parse("server_cert: \"c\""))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("needs server_key and server_cert");
        assertThatThrownBy(() -> SslConfig.parse("server_key: \"k\" server_cert: \"c\" client_verify: yes"))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("client_verify must be true or false");
    }
}
