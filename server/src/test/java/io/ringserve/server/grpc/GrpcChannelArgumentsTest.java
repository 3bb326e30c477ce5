package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.grpc.netty.NettyServerBuilder;
import io.ringserve.server.grpc.GrpcChannelArguments.Setting;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcChannelArgumentsTest {
    @Test
    void shouldReadTfServingsCommaSeparatedKeyValueList() {
        final GrpcChannelArguments arguments = GrpcChannelArguments.parse(
                "grpc.max_connection_age_ms=30000, grpc.max_connection_age_grace_ms=5000,"
                        + "grpc.max_concurrent_streams=100,grpc.keepalive_permit_without_calls=1");

        assertThat(arguments.settings()).containsOnly(
                entry(Setting.MAX_CONNECTION_AGE, 30000L),
                entry(Setting.MAX_CONNECTION_AGE_GRACE, 5000L),
                entry(Setting.MAX_CONCURRENT_STREAMS, 100L),
                entry(Setting.KEEPALIVE_PERMIT_WITHOUT_CALLS, 1L));
        assertThat(arguments.ignored()).isEmpty();
    }

    @Test
    void shouldKeepArgumentsItCannotApplyAsIgnoredInsteadOfRefusingTheCommandLine() {
        final GrpcChannelArguments arguments = GrpcChannelArguments.parse(
                "grpc.so_reuseport=0,grpc.max_connection_idle_ms=60000,grpc.primary_user_agent=x");

        assertThat(arguments.settings()).containsOnly(entry(Setting.MAX_CONNECTION_IDLE, 60000L));
        assertThat(arguments.ignored()).containsExactly("grpc.so_reuseport", "grpc.primary_user_agent");
    }

    @Test
    void shouldLetTheLastOfARepeatedKeyWinAndSkipEmptyEntries() {
        assertThat(GrpcChannelArguments.parse("grpc.keepalive_time_ms=1000,,grpc.keepalive_time_ms=2000,")
                .settings()).containsOnly(entry(Setting.KEEPALIVE_TIME, 2000L));
        assertThat(GrpcChannelArguments.parse("")).isSameAs(GrpcChannelArguments.NONE);
        assertThat(GrpcChannelArguments.parse(" , ")).isSameAs(GrpcChannelArguments.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc.max_connection_age_ms", "=5", "grpc.max_connection_age_ms 5"})
    void shouldNameAnEntryThatIsNotKeyValue(final String entry) {
        assertThatThrownBy(() -> GrpcChannelArguments.parse("grpc.max_concurrent_streams=4," + entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--grpc_channel_arguments").hasMessageContaining("'" + entry + "'")
                .hasMessageContaining("is not key=value");
    }

    @Test
    void aReceiveLengthOfMinusOneShouldMeanNoLimitAsInGrpcCore() {
        assertThat(GrpcChannelArguments.parse("grpc.max_receive_message_length=-1").settings())
                .containsOnly(entry(Setting.MAX_RECEIVE_MESSAGE_LENGTH, (long) Integer.MAX_VALUE));
        assertThatThrownBy(() -> GrpcChannelArguments.parse("grpc.max_receive_message_length=-2"))
                .hasMessage("--grpc_channel_arguments: grpc.max_receive_message_length=-2: must be at least 1");
    }

    @Test
    void shouldNameAValueAKnownSettingCannotTake() {
        assertThatThrownBy(() -> GrpcChannelArguments.parse("grpc.max_connection_age_ms=30s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--grpc_channel_arguments: grpc.max_connection_age_ms=30s: expected an integer");
        assertThatThrownBy(() -> GrpcChannelArguments.parse("grpc.max_concurrent_streams=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--grpc_channel_arguments: grpc.max_concurrent_streams=0: must be at least 1");
    }

    @Test
    void everySettingShouldApplyToARealGrpcServerBuilder() {
        final String all = Arrays.stream(Setting.values()).map(setting -> setting.key() + "=1000")
                .collect(Collectors.joining(","));
        final NettyServerBuilder builder = NettyServerBuilder.forPort(0);

        GrpcChannelArguments.parse(all).applyTo(builder);

        assertThat(builder.build()).isNotNull(); // grpc-java checks the values it was given
    }

    @Test
    void everySettingShouldBeSpelledAsGrpcCoreSpellsIt() {
        assertThat(Arrays.stream(Setting.values()).map(Setting::key)).allMatch(key -> key.startsWith("grpc."))
                .doesNotHaveDuplicates();
        for (Setting setting : Setting.values()) {
            assertThat(GrpcChannelArguments.parse(setting.key() + "=1000").settings())
                    .containsOnly(entry(setting, 1000L));
        }
    }
}
