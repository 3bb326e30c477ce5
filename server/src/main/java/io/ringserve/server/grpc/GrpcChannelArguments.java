package io.ringserve.server.grpc;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.grpc.netty.NettyServerBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjLongConsumer;
import java.util.stream.Collectors;

/**
 * TF Serving's {@code --grpc_channel_arguments}: a comma-separated list of {@code key=value} gRPC server arguments,
 * e.g. {@code grpc.max_connection_age_ms=30000} (the usual one behind a Kubernetes Service, so that long-lived client
 * connections spread over new pods). The arguments grpc-java's server has an equivalent for are applied
 * ({@link Setting}); any other key, which TF Serving would hand to gRPC's C core, is kept in {@link #ignored()} so
 * the server can say it has no effect, rather than refusing a TF Serving command line. A malformed entry, or a
 * value a known setting cannot take, is an error naming it. Immutable.
 */
public final class GrpcChannelArguments {
    /** The gRPC core arguments that map onto grpc-java's {@link NettyServerBuilder}; every value is an integer. */
    public enum Setting {
        MAX_CONNECTION_AGE("grpc.max_connection_age_ms", 1, (b, v) -> b.maxConnectionAge(v, MILLISECONDS)),
        MAX_CONNECTION_AGE_GRACE("grpc.max_connection_age_grace_ms", 0,
                (b, v) -> b.maxConnectionAgeGrace(v, MILLISECONDS)),
        MAX_CONNECTION_IDLE("grpc.max_connection_idle_ms", 1, (b, v) -> b.maxConnectionIdle(v, MILLISECONDS)),
        KEEPALIVE_TIME("grpc.keepalive_time_ms", 1, (b, v) -> b.keepAliveTime(v, MILLISECONDS)),
        KEEPALIVE_TIMEOUT("grpc.keepalive_timeout_ms", 1, (b, v) -> b.keepAliveTimeout(v, MILLISECONDS)),
        KEEPALIVE_PERMIT_WITHOUT_CALLS("grpc.keepalive_permit_without_calls", 0,
                (b, v) -> b.permitKeepAliveWithoutCalls(v != 0)),
        MIN_RECV_PING_INTERVAL_WITHOUT_DATA("grpc.http2.min_recv_ping_interval_without_data_ms", 0,
                (b, v) -> b.permitKeepAliveTime(v, MILLISECONDS)),
        MAX_CONCURRENT_STREAMS("grpc.max_concurrent_streams", 1,
                (b, v) -> b.maxConcurrentCallsPerConnection(saturatedInt(v))),
        MAX_RECEIVE_MESSAGE_LENGTH("grpc.max_receive_message_length", 1,
                (b, v) -> b.maxInboundMessageSize(saturatedInt(v))),
        MAX_METADATA_SIZE("grpc.max_metadata_size", 1, (b, v) -> b.maxInboundMetadataSize(saturatedInt(v)));

        private final String key;
        private final long min;
        private final ObjLongConsumer<NettyServerBuilder> apply;

        Setting(final String key, final long min, final ObjLongConsumer<NettyServerBuilder> apply) {
            this.key = key;
            this.min = min;
            this.apply = apply;
        }

        /** The argument's name, as gRPC's C core and TF Serving spell it. */
        public String key() {
            return key;
        }

        private static int saturatedInt(final long value) {
            return (int) Math.min(value, Integer.MAX_VALUE);
        }
    }

    /** No arguments. */
    public static final GrpcChannelArguments NONE = new GrpcChannelArguments(new EnumMap<>(Setting.class), List.of());

    private static final Map<String, Setting> BY_KEY = Arrays.stream(Setting.values())
            .collect(Collectors.toUnmodifiableMap(Setting::key, setting -> setting));

    private final Map<Setting, Long> settings;
    private final List<String> ignored;

    private GrpcChannelArguments(final Map<Setting, Long> settings, final List<String> ignored) {
        this.settings = Collections.unmodifiableMap(settings);
        this.ignored = List.copyOf(ignored);
    }

    /**
     * Parses the flag's value; empty means none. Later entries for the same key win, as in gRPC.
     *
     * @throws IllegalArgumentException naming the entry when it is not {@code key=value}, or when a known setting's
     *     value is not an integer it can take
     */
    public static GrpcChannelArguments parse(final String flag) {
        final Map<Setting, Long> settings = new EnumMap<>(Setting.class);
        final List<String> ignored = new ArrayList<>();
        for (String entry : flag.split(",")) {
            final String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            final int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("--grpc_channel_arguments: '" + trimmed
                        + "' is not key=value (e.g. grpc.max_connection_age_ms=30000)");
            }
            final String key = trimmed.substring(0, equals).trim();
            final String value = trimmed.substring(equals + 1).trim();
            final Setting setting = BY_KEY.get(key);
            if (setting == null) {
                ignored.add(key);
            } else {
                settings.put(setting, integer(setting, value));
            }
        }
        return settings.isEmpty() && ignored.isEmpty() ? NONE : new GrpcChannelArguments(settings, ignored);
    }

    private static long integer(final Setting setting, final String value) {
        final long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--grpc_channel_arguments: " + setting.key() + "=" + value
                    + ": expected an integer", e);
        }
        if (parsed == -1 && setting == Setting.MAX_RECEIVE_MESSAGE_LENGTH) {
            return Integer.MAX_VALUE; // gRPC core's "no limit", which TF Serving command lines use
        }
        if (parsed < setting.min) {
            throw new IllegalArgumentException("--grpc_channel_arguments: " + setting.key() + "=" + value
                    + ": must be at least " + setting.min);
        }
        return parsed;
    }

    /** The settings applied, by setting. */
    public Map<Setting, Long> settings() {
        return settings;
    }

    /** The keys given that grpc-java's server has no equivalent for, in the order given. */
    public List<String> ignored() {
        return ignored;
    }

    /** Applies every known setting to {@code builder}. */
    public void applyTo(final NettyServerBuilder builder) {
        settings.forEach((setting, value) -> setting.apply.accept(builder, value));
    }

    @Override
    public String toString() {
        return settings.entrySet().stream().map(e -> e.getKey().key() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
