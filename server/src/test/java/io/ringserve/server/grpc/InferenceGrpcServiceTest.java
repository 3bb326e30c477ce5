package io.ringserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.SavedModelLoader;
import io.ringserve.models.SessionOptions;
import io.ringserve.models.TestData;
import io.ringserve.proto.inference.GRPCInferenceServiceGrpc;
import io.ringserve.proto.inference.InferTensorContents;
import io.ringserve.proto.inference.ModelInferRequest;
import io.ringserve.proto.inference.ModelInferResponse;
import io.ringserve.proto.inference.ModelMetadataRequest;
import io.ringserve.proto.inference.ModelMetadataResponse;
import io.ringserve.proto.inference.ModelReadyRequest;
import io.ringserve.proto.inference.ServerLiveRequest;
import io.ringserve.proto.inference.ServerReadyRequest;
import io.ringserve.server.inference.DirectModelRunner;
import io.ringserve.server.inference.InferenceExecutor;
import io.ringserve.server.inference.ModelResolver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KServe V2 gRPC in-process, on TF Serving's half_plus_two (version 123). */
class InferenceGrpcServiceTest {
    private static ModelRegistry registry;
    private static GrpcServer server;
    private static ManagedChannel channel;
    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub v2;

    @BeforeAll
    static void start() {
        registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));
        registry.add("half_plus_two", TestData.tfServing("saved_model_half_plus_two_cpu"));
        registry.loadAll();
        final String name = InProcessServerBuilder.generateName();
        server = new GrpcServer(InProcessServerBuilder.forName(name).directExecutor(), new ModelResolver(registry),
                new DirectModelRunner(new InferenceExecutor(2, 64, System::nanoTime), (m, n) -> { })).start();
        server.setServing(true);
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        v2 = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        registry.close();
    }

    private static ModelInferRequest.InferInputTensor.Builder x(final long... shape) {
        final ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
                .setName("x").setDatatype("FP32");
        for (long dim : shape) {
            input.addShape(dim);
        }
        return input;
    }

    @Test
    void shouldAnswerHealthAndMetadata() {
        assertThat(v2.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(v2.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(v2.modelReady(ModelReadyRequest.newBuilder().setName("half_plus_two").build()).getReady()).isTrue();
        // As Triton: whatever does not serve is ready: false, not an error (clients poll it while a model loads).
        assertThat(v2.modelReady(ModelReadyRequest.newBuilder().setName("half_plus_two").setVersion("7").build())
                .getReady()).isFalse();
        assertThat(v2.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()).getReady()).isFalse();
        final ModelMetadataResponse metadata = v2.modelMetadata(ModelMetadataRequest.newBuilder()
                .setName("half_plus_two").build());
        assertThat(metadata.getVersionsList()).containsExactly("123");
        assertThat(metadata.getPlatform()).isEqualTo("tensorflow_savedmodel");
        assertThat(metadata.getInputs(0).getName()).isEqualTo("x");
        assertThat(metadata.getInputs(0).getDatatype()).isEqualTo("FP32");
        assertThat(metadata.getInputs(0).getShapeList()).containsExactly(-1L, 1L);
        assertThat(metadata.getOutputs(0).getName()).isEqualTo("y");
    }

    /**
     * Seeded random inputs (datatypes right and wrong, dimensions negative or past int and long, contents in any
     * field, raw contents of any length): each is answered, or refused with INVALID_ARGUMENT, and the server goes on
     * answering. An INTERNAL or UNKNOWN here is a client-triggered bug.
     */
    @Test
    void shouldAnswerOrRefuseEveryRandomInputWithInvalidArgument() {
        final Random random = new Random(20261130);
        final long[] dims = {1, 1, 1, 2, 2, 3, 0, 1L << 20, 1L << 31, 1L << 33, 1L << 62, Long.MAX_VALUE, -1};
        final String[] datatypes = {"FP32", "FP32", "FP32", "FP32", "FP32", "FP64", "BYTES", "FP16", "INT8", "fp32", ""};
        int answered = 0;
        for (int i = 0; i < 400; i++) {
            final ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
                    .setName(random.nextInt(20) == 0 ? "z" : "x")
                    .setDatatype(datatypes[random.nextInt(datatypes.length)]);
            for (int rank = random.nextInt(4); rank > 0; rank--) {
                input.addShape(dims[random.nextInt(dims.length)]);
            }
            final boolean raw = random.nextInt(3) == 0;
            // Half the time as many values as a small shape holds, so that many requests are answerable.
            final long elements = input.getShapeList().stream().reduce(1L, (a, b) -> a * b);
            final int count = random.nextBoolean() && elements >= 0 && elements <= 16 ? (int) elements
                    : random.nextInt(6);
            if (!raw) {
                final InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                for (int values = count; values > 0; values--) {
                    switch (random.nextInt(5)) {
                        case 0, 4 -> contents.addFp32Contents(random.nextFloat());
                        case 1 -> contents.addFp64Contents(random.nextDouble());
                        case 2 -> contents.addIntContents(random.nextInt());
                        default -> contents.addBytesContents(ByteString.copyFromUtf8("v"));
                    }
                }
                input.setContents(contents);
            }
            final ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("half_plus_two")
                    .addInputs(input);
            if (raw) {
                request.addRawInputContents(ByteString.copyFrom(new byte[count * 4 + random.nextInt(2)]));
            }
            try {
                v2.modelInfer(request.build());
                answered++;
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).as("%s: %s", request.getInputs(0), e.getStatus())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
            }
        }
        assertThat(answered).as("the generator makes answerable inputs too").isBetween(10, 390);
        assertThat(v2.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two").addInputs(x(1, 1)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1f))).build())
                .getOutputs(0).getContents().getFp32ContentsList()).containsExactly(2.5f);
    }

    @Test
    void shouldInferWithTypedContents() {
        final ModelInferResponse response = v2.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two")
                .setId("r1").addInputs(x(3, 1).setContents(InferTensorContents.newBuilder()
                        .addFp32Contents(1f).addFp32Contents(2f).addFp32Contents(5f))).build());
        assertThat(response.getModelName()).isEqualTo("half_plus_two");
        assertThat(response.getModelVersion()).isEqualTo("123");
        assertThat(response.getId()).isEqualTo("r1");
        assertThat(response.getOutputs(0).getName()).isEqualTo("y");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(3L, 1L);
        assertThat(response.getOutputs(0).getContents().getFp32ContentsList()).containsExactly(2.5f, 3f, 4.5f);
        assertThat(response.getRawOutputContentsCount()).isZero();
    }

    @Test
    void shouldAnswerRawRequestsRawAsTritonClientsExpect() {
        final ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(5f);
        final ModelInferResponse response = v2.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two")
                .setModelVersion("123").addInputs(x(2, 1)).addRawInputContents(ByteString.copyFrom(raw.array()))
                .build());
        assertThat(response.getOutputs(0).hasContents()).isFalse();
        assertThat(response.getOutputs(0).getParametersOrThrow("binary_data_size").getInt64Param()).isEqualTo(8);
        final ByteBuffer out = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.getFloat()).isEqualTo(2.5f);
        assertThat(out.getFloat()).isEqualTo(4.5f);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown model    | NOT_FOUND        | Servable not found for request: Latest(nope)
            wrong datatype   | INVALID_ARGUMENT | input 'x' has datatype FP64, but the model expects FP32
            too few elements | INVALID_ARGUMENT | input 'x' has 1 elements in fp32_contents, but shape [2, 1] needs 2
            wrong contents   | INVALID_ARGUMENT | input 'x' has 0 elements in fp32_contents, but shape [1, 1] needs 1 (its values are in int_contents)
            unknown input    | INVALID_ARGUMENT | Unknown input 'z'
            missing input    | INVALID_ARGUMENT | input 'x' is missing
            raw count        | INVALID_ARGUMENT | raw_input_contents has 2 entries for 1 inputs
            raw size         | INVALID_ARGUMENT | input 'x' has 4 bytes of binary data, but shape [2, 1] of FP32 needs 8
            duplicate output | INVALID_ARGUMENT | output 'y' already exists in request
            bad version      | NOT_FOUND        | has no version 'latest'
            """)
    void shouldAnswerMistakesWithTheirCodes(final String mistake, final Status.Code code, final String message) {
        final ModelInferRequest good = ModelInferRequest.newBuilder().setModelName("half_plus_two")
                .addInputs(x(1, 1).setContents(InferTensorContents.newBuilder().addFp32Contents(1f))).build();
        final ByteString four = ByteString.copyFrom(new byte[4]);
        final ModelInferRequest request = switch (mistake) {
            case "unknown model" -> good.toBuilder().setModelName("nope").build();
            case "wrong datatype" -> good.toBuilder().setInputs(0, x(1, 1).setDatatype("FP64")).build();
            case "too few elements" -> good.toBuilder().setInputs(0, x(2, 1).setContents(
                    InferTensorContents.newBuilder().addFp32Contents(1f))).build();
            case "wrong contents" -> good.toBuilder().setInputs(0, x(1, 1).setContents(
                    InferTensorContents.newBuilder().addIntContents(1))).build();
            case "unknown input" -> good.toBuilder().setInputs(0, x(1, 1).setName("z")).build();
            case "missing input" -> good.toBuilder().clearInputs().build();
            case "raw count" -> good.toBuilder().setInputs(0, x(1, 1)).addRawInputContents(four)
                    .addRawInputContents(four).build();
            case "raw size" -> good.toBuilder().setInputs(0, x(2, 1)).addRawInputContents(four).build();
            case "duplicate output" -> good.toBuilder().addOutputs(ModelInferRequest.InferRequestedOutputTensor
                    .newBuilder().setName("y")).addOutputs(ModelInferRequest.InferRequestedOutputTensor
                    .newBuilder().setName("y")).build();
            case "bad version" -> good.toBuilder().setModelVersion("latest").build();
            default -> throw new IllegalArgumentException(mistake);
        };
        assertThatThrownBy(() -> v2.modelInfer(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
        assertThat(v2.modelInfer(good).getOutputs(0).getContents().getFp32ContentsList()).containsExactly(2.5f);
    }
}
