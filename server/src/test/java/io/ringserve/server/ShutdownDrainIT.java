package io.ringserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.ringserve.batching.ClosePolicy;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.TestModels;
import io.ringserve.proto.serving.ModelSpec;
import io.ringserve.proto.serving.PredictRequest;
import io.ringserve.proto.serving.PredictResponse;
import io.ringserve.proto.serving.PredictionServiceGrpc;
import io.ringserve.proto.tensorflow.DataType;
import io.ringserve.proto.tensorflow.TensorProto;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import io.ringserve.server.config.BatchingParametersFile;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful shutdown of the real server loses no request a client has sent: REST requests being answered, one
 * pipelined behind them on the same connection, one whose body is still arriving, and a gRPC call in flight are all
 * answered, while idle keep-alive connections close once quiet and new connections are refused. The requests are
 * held in flight by a gated model
 * ({@link TestModels#writeGated}) until the test opens the gate, so nothing here depends on timing.
 */
class ShutdownDrainIT {
    private static final String MODEL = "gated";
    /** Long enough never to pass in this test: waiting is bounded by it only if the server hangs. */
    private static final int READ_TIMEOUT_MILLIS = 20_000;

    @TempDir
    Path repository;

    @Test
    void shouldAnswerEveryRequestSentBeforeTheShutdownAndCloseIdleConnectionsOnceQuiet() throws Exception {
        final ServerConfig.Builder config = ServerConfig.builder()
                .models(List.of(new ModelConfig(MODEL, TestModels.writeGated(repository.resolve(MODEL)))))
                .drainTimeoutMillis(60_000)
                // One batch thread: while a batch waits at the gate, the other requests queue behind it.
                .batching(new BatchingConfig(true, BatchingParametersFile.parse("""
                        max_batch_size { value: 8 }
                        batch_timeout_micros { value: 0 }
                        num_batch_threads { value: 1 }
                        """, ClosePolicy.TIMEOUT), false));
        try (RunningServer running = RunningServer.withGrpc(config)) {
            final InferenceServer server = running.server();
            final LoadedModel model = server.registry().get(MODEL).orElseThrow().latest().orElseThrow();
            final int port = server.restPort();
            final ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext().build();
            try (RawHttpConnection busy = new RawHttpConnection(port);
                 RawHttpConnection queued = new RawHttpConnection(port);
                 RawHttpConnection idle = new RawHttpConnection(port);
                 RawHttpConnection uploading = new RawHttpConnection(port)) {
                // The channel connects on its first call: connected now, so that the Predict below is in flight on
                // it before the shutdown stops accepting connections.
                assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance())
                        .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                busy.send(predict(1));
                busy.send(predict(2)); // pipelined: read by the server, dispatched once the first is answered
                queued.send(predict(3));
                final ListenableFuture<PredictResponse> call = PredictionServiceGrpc.newFutureStub(channel)
                        .predict(grpcPredict(4));
                awaitInFlight(model, 3);
                idle.send("GET /v2/health/ready HTTP/1.1\r\nHost: ringserve\r\n\r\n");
                assertThat(idle.read().status()).isEqualTo(200);
                final String body = predictBody(5);
                final int half = body.length() / 2;
                // As curl sends a large body: the server's 100 Continue says it has read the head.
                uploading.send(predictHead(body.length()).replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n"));
                assertThat(uploading.read().status()).isEqualTo(100);
                uploading.send(body.substring(0, half));

                final Thread shutdown = new Thread(server::close, "shutdown");
                shutdown.start();

                assertThat(idle.closedByServer()).as("an idle keep-alive connection closes once quiet").isTrue();
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                        .as("no new connection is accepted").isInstanceOf(ConnectException.class);
                assertThat(shutdown.isAlive()).as("the shutdown waits for the requests in flight").isTrue();
                uploading.send(body.substring(half));

                // One value per request: enough however the five requests fall into batches (each batch takes one).
                for (int request = 0; request < 5; request++) {
                    openGate(model, 10);
                }
                final RawHttpConnection.Response first = busy.read();
                assertThat(first.status()).isEqualTo(200);
                assertThat(first.body()).isEqualTo("{\"predictions\":[[11.0]]}");
                assertThat(first.headers()).as("more was read on this connection").doesNotContainEntry("connection",
                        "close");
                final RawHttpConnection.Response pipelined = busy.read();
                assertThat(pipelined.status()).as("a request read before the shutdown is served").isEqualTo(200);
                assertThat(pipelined.body()).isEqualTo("{\"predictions\":[[12.0]]}");
                assertThat(pipelined.headers()).containsEntry("connection", "close");
                assertThat(busy.closedByServer()).isTrue();
                final RawHttpConnection.Response other = queued.read();
                assertThat(other.status()).isEqualTo(200);
                assertThat(other.body()).isEqualTo("{\"predictions\":[[13.0]]}");
                assertThat(other.headers()).containsEntry("connection", "close");
                assertThat(queued.closedByServer()).isTrue();
                final RawHttpConnection.Response late = uploading.read();
                assertThat(late.status()).as("a request whose body was arriving is served").isEqualTo(200);
                assertThat(late.body()).isEqualTo("{\"predictions\":[[15.0]]}");
                assertThat(late.headers()).containsEntry("connection", "close");
                assertThat(uploading.closedByServer()).isTrue();
                assertThat(call.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).getOutputsOrThrow("y")
                        .getFloatVal(0)).as("the gRPC call in flight is answered").isEqualTo(14f);

                shutdown.join(READ_TIMEOUT_MILLIS);
                assertThat(shutdown.isAlive()).as("the shutdown ends once everything is answered").isFalse();
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static void awaitInFlight(final LoadedModel model, final int requests) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MILLIS);
        while (model.users() < requests) {
            assertThat(System.nanoTime()).as("requests in flight: %d", model.users()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Lets one waiting batch through, adding {@code g} to its rows. */
    private static void openGate(final LoadedModel model, final float g) {
        model.run(model.signature(TestModels.OPEN_GATE).orElseThrow(),
                Map.of("g", HostTensor.ofFloats(new long[0], g)), List.of("g"));
    }

    private static PredictRequest grpcPredict(final float x) {
        final ByteBuffer raw = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(x);
        return PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1))
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .setTensorContent(ByteString.copyFrom(raw.array())).build())
                .build();
    }

    private static String predict(final float x) {
        final String body = predictBody(x);
        return predictHead(body.length()) + body;
    }

    private static String predictBody(final float x) {
        return "{\"instances\": [[" + x + "]]}";
    }

    private static String predictHead(final int contentLength) {
        return "POST /v1/models/" + MODEL + ":predict HTTP/1.1\r\nHost: ringserve\r\nContent-Type: "
                + "application/json\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }
}
