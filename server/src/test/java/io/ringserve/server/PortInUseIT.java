package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A port the server cannot listen on fails its start with an error naming the flag and the port (Main then exits
 * non-zero; a start that failed used to leave event loops keeping the process alive with nothing listening).
 */
class PortInUseIT {
    private static ServerConfig.Builder halfPlusTwo() {
        return ServerConfig.builder().models(List.of(new ModelConfig("m",
                RunningServer.tfServingTestData("saved_model_half_plus_two_cpu"))));
    }

    @Test
    void aRestPortInUseShouldFailTheStartNamingTheFlagAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 0));
            final InferenceServer server = new InferenceServer(halfPlusTwo().restPort(taken.getLocalPort()).build());
            try {
                assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("cannot listen on 0.0.0.0:" + taken.getLocalPort() + " (--rest_api_port)")
                        .hasMessageContaining("Address already in use");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void aMetricsPortInUseShouldFailTheStartNamingTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 0));
            final InferenceServer server = new InferenceServer(halfPlusTwo().restPort(ServerConfig.ANY_FREE_PORT)
                    .metricsPort(taken.getLocalPort()).build());
            try {
                assertThatThrownBy(server::start).hasMessageContaining("(--metrics_port)");
            } finally {
                server.close();
            }
        }
    }
}
