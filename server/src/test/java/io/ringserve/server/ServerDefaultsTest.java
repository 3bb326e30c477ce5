package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class ServerDefaultsTest {
    @Test
    void shouldSetTheServingDefaultsOnlyWhereTheUserSetNothing() {
        final Properties properties = new Properties();
        properties.setProperty("io.netty.leakDetection.level", "paranoid");

        ServerDefaults.applyJvmProperties(properties);

        assertThat(properties.getProperty("io.netty.leakDetection.level")).isEqualTo("paranoid");
        assertThat(properties.getProperty("org.bytedeco.javacpp.maxPhysicalBytes")).isEqualTo("0");
    }

    @Test
    void grpcJavasStackTracePerRefusedMessageShouldBeQuietedToErrors() {
        ServerDefaults.quietClientMistakes();
        assertThat(java.util.logging.Logger.getLogger("io.grpc.netty.NettyServerStream")
                .isLoggable(java.util.logging.Level.WARNING)).isFalse();
        assertThat(java.util.logging.Logger.getLogger("io.grpc.netty.NettyServerStream")
                .isLoggable(java.util.logging.Level.SEVERE)).isTrue();
    }
}
