package io.ringserve.server.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ModelRegistry;
import io.ringserve.models.ServedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.proto.inference.GRPCInferenceServiceGrpc;
import io.ringserve.proto.inference.InferParameter;
import io.ringserve.proto.inference.InferTensorContents;
import io.ringserve.proto.inference.ModelInferRequest;
import io.ringserve.proto.inference.ModelInferResponse;
import io.ringserve.proto.inference.ModelMetadataRequest;
import io.ringserve.proto.inference.ModelMetadataResponse;
import io.ringserve.proto.inference.ModelReadyRequest;
import io.ringserve.proto.inference.ModelReadyResponse;
import io.ringserve.proto.inference.RepositoryModelLoadRequest;
import io.ringserve.proto.inference.RepositoryModelLoadResponse;
import io.ringserve.proto.inference.RepositoryModelUnloadRequest;
import io.ringserve.proto.inference.RepositoryModelUnloadResponse;
import io.ringserve.proto.inference.ServerLiveRequest;
import io.ringserve.proto.inference.ServerLiveResponse;
import io.ringserve.proto.inference.ServerMetadataRequest;
import io.ringserve.proto.inference.ServerMetadataResponse;
import io.ringserve.proto.inference.ServerReadyRequest;
import io.ringserve.proto.inference.ServerReadyResponse;
import io.ringserve.server.codec.V2Inputs;
import io.ringserve.server.codec.V2Tensors;
import io.ringserve.server.inference.ModelRepositoryApi;
import io.ringserve.server.inference.ModelLease;
import io.ringserve.server.inference.ModelResolver;
import io.ringserve.server.inference.ModelRunner;
import io.ringserve.server.inference.ModelSelector;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * KServe V2 (Open Inference Protocol) over gRPC, {@code inference.GRPCInferenceService}: ServerLive, ServerReady,
 * ModelReady, ServerMetadata, ModelMetadata and ModelInfer on each model's {@code serving_default} signature, through
 * the same runner (and batcher) as TF Serving's Predict, with the call's deadline and cancellation. Tensors travel as
 * typed {@code contents} or as {@code raw_input_contents}; a request sent raw is answered raw (each output then
 * carries {@code binary_data_size}), as KServe does. Versions are TF Serving's integer versions as strings. With the
 * model repository extension, RepositoryModelLoad and RepositoryModelUnload ({@link ModelRepositoryApi}).
 * Thread-safe; handlers never block.
 */
public final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private final ModelRegistry registry;
    private final ModelResolver resolver;
    private final ModelRunner runner;
    private final Supplier<Executor> answerExecutor;
    private final ModelRepositoryApi repository;

    /**
     * @param answerExecutor asked on a handler's thread, the executor the answer is sent on
     * @param repository RepositoryModelLoad and RepositoryModelUnload, when the server serves the extension
     */
    public InferenceGrpcService(final ModelRegistry registry, final ModelRunner runner,
                                final Supplier<Executor> answerExecutor, final ModelRepositoryApi repository) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.resolver = new ModelResolver(registry);
        this.runner = Objects.requireNonNull(runner, "runner");
        this.answerExecutor = Objects.requireNonNull(answerExecutor, "answerExecutor");
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    @Override
    public void serverLive(final ServerLiveRequest request, final StreamObserver<ServerLiveResponse> observer) {
        observer.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
        observer.onCompleted();
    }

    @Override
    public void serverReady(final ServerReadyRequest request, final StreamObserver<ServerReadyResponse> observer) {
        observer.onNext(ServerReadyResponse.newBuilder().setReady(registry.allAvailable()).build());
        observer.onCompleted();
    }

    @Override
    public void modelReady(final ModelReadyRequest request, final StreamObserver<ModelReadyResponse> observer) {
        try {
            final ModelSelector selector = selector(request.getName(), request.getVersion());
            // Anything not serving, known or not, is ready: false, as Triton answers: clients poll this until a model
            // loads (tritonclient raises on an error status). REST says 404 or 503 instead, both "not ready" there.
            final boolean ready = registry.get(selector.name()).flatMap(model -> selector.version().isPresent()
                    ? model.version(selector.version().getAsLong()) : model.latest()).isPresent();
            observer.onNext(ModelReadyResponse.newBuilder().setReady(ready).build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    @Override
    public void serverMetadata(final ServerMetadataRequest request,
                               final StreamObserver<ServerMetadataResponse> observer) {
        final ServerMetadataResponse.Builder metadata = ServerMetadataResponse.newBuilder().setName("ringserve")
                .setVersion("0.1.0");
        if (repository.enabled()) {
            metadata.addExtensions(ModelRepositoryApi.EXTENSION);
        }
        observer.onNext(metadata.build());
        observer.onCompleted();
    }

    /** Loads a model of the server's model repository; answered once it serves (or did not load). */
    @Override
    public void repositoryModelLoad(final RepositoryModelLoadRequest request,
                                    final StreamObserver<RepositoryModelLoadResponse> observer) {
        GrpcCalls.answer(repository.load(request.getModelName()), observer, done -> RepositoryModelLoadResponse
                .newBuilder().setModelName(request.getModelName()).setIsLoaded(true).build(), answerExecutor.get());
    }

    /** Unloads a model; answered once its versions are closed. */
    @Override
    public void repositoryModelUnload(final RepositoryModelUnloadRequest request,
                                      final StreamObserver<RepositoryModelUnloadResponse> observer) {
        GrpcCalls.answer(repository.unload(request.getModelName()), observer, done -> RepositoryModelUnloadResponse
                .newBuilder().setModelName(request.getModelName()).setIsUnloaded(true).build(),
                answerExecutor.get());
    }

    @Override
    public void modelMetadata(final ModelMetadataRequest request,
                              final StreamObserver<ModelMetadataResponse> observer) {
        try {
            final ModelSelector selector = selector(request.getName(), request.getVersion());
            final LoadedModel model = resolver.model(selector);
            final SignatureSpec signature = ModelResolver.signature(model, "");
            final ModelMetadataResponse.Builder response = ModelMetadataResponse.newBuilder()
                    .setName(request.getName()).setPlatform("tensorflow_savedmodel");
            if (selector.version().isPresent()) {
                response.addVersions(Long.toString(model.version()));
            } else {
                registry.get(request.getName()).map(ServedModel::servingVersions).orElse(List.of())
                        .forEach(version -> response.addVersions(Long.toString(version)));
            }
            signature.inputs().values().forEach(spec -> response.addInputs(metadata(spec)));
            signature.outputs().values().forEach(spec -> response.addOutputs(metadata(spec)));
            observer.onNext(response.build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    private static ModelMetadataResponse.TensorMetadata metadata(final TensorSpec spec) {
        final ModelMetadataResponse.TensorMetadata.Builder tensor = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(spec.alias())
                .setDatatype(spec.dtype().map(DType::v2Datatype).orElse(spec.dtypeName()));
        spec.shape().filter(shape -> !shape.unknownRank()).ifPresent(shape -> tensor.addAllShape(shape.dims()));
        return tensor.build();
    }

    @Override
    public void modelInfer(final ModelInferRequest request, final StreamObserver<ModelInferResponse> observer) {
        try (ModelLease lease = resolver.lease(selector(request.getModelName(), request.getModelVersion()))) {
            final LoadedModel model = lease.model();
            final SignatureSpec signature = ModelResolver.signature(model, "");
            final boolean raw = request.getRawInputContentsCount() > 0;
            final Map<String, HostTensor> inputs = inputs(signature, request, raw);
            final List<String> outputs = outputs(signature, request);
            GrpcCalls.answer(lease.until(runner.run(model, signature, inputs, outputs,
                    GrpcCalls.deadlineNanos(System::nanoTime))), observer,
                    tensors -> response(request, model, tensors, raw), answerExecutor.get());
        } catch (RuntimeException e) {
            observer.onError(GrpcStatuses.toStatus(e));
        }
    }

    private static ModelSelector selector(final String name, final String version) {
        if (name.isEmpty()) {
            throw ServingException.invalidArgument("The request names no model");
        }
        if (version.isEmpty()) {
            return new ModelSelector(name, OptionalLong.empty(), Optional.empty());
        }
        try {
            return new ModelSelector(name, OptionalLong.of(Long.parseLong(version)), Optional.empty());
        } catch (NumberFormatException e) {
            throw ServingException.notFound("Model " + name + " has no version '" + version
                    + "' (versions are integers)");
        }
    }

    private static Map<String, HostTensor> inputs(final SignatureSpec signature, final ModelInferRequest request,
                                                  final boolean raw) {
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw ServingException.invalidArgument("raw_input_contents has " + request.getRawInputContentsCount()
                    + " entries for " + request.getInputsCount() + " inputs; it needs one per input, in order");
        }
        final V2Inputs tensors = new V2Inputs(signature);
        for (int i = 0; i < request.getInputsCount(); i++) {
            final ModelInferRequest.InferInputTensor input = request.getInputs(i);
            final TensorSpec spec = tensors.spec(input.getName());
            final DType dtype = V2Inputs.type(spec);
            V2Tensors.requireDatatype(spec.alias(), input.getDatatype(), dtype);
            final long[] shape = V2Tensors.requireShape(spec.alias(),
                    input.getShapeList().stream().mapToLong(Long::longValue).toArray(), dtype);
            if (raw && input.hasContents()) {
                throw ServingException.invalidArgument("input '" + spec.alias() + "' sets contents while the "
                        + "request uses raw_input_contents");
            }
            tensors.add(spec, raw
                    ? V2Tensors.fromBinary(spec.alias(), dtype, shape,
                            request.getRawInputContents(i).asReadOnlyByteBuffer())
                    : fromContents(spec.alias(), dtype, shape, input.getContents()));
        }
        return tensors.all();
    }

    /** The {@code InferTensorContents} field that carries {@code dtype}'s values (KServe V2's table). */
    private static String contentsField(final DType dtype) {
        return switch (dtype) {
            case FLOAT -> "fp32_contents";
            case DOUBLE -> "fp64_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case BOOL -> "bool_contents";
            default -> "bytes_contents";
        };
    }

    /** {@code " (it has values in int_contents)"} when values sit in fields other than {@code expected}, else "". */
    private static String misplaced(final InferTensorContents contents, final String expected) {
        final List<String> others = contents.getAllFields().keySet().stream()
                .map(com.google.protobuf.Descriptors.FieldDescriptor::getName)
                .filter(field -> !field.equals(expected)).sorted().toList();
        return others.isEmpty() ? "" : " (its values are in " + String.join(", ", others) + ")";
    }

    private static HostTensor fromContents(final String name, final DType dtype, final long[] shape,
                                           final InferTensorContents contents) {
        final int n = Math.toIntExact(HostTensor.numElements(shape));
        final int given = switch (dtype) {
            case FLOAT -> contents.getFp32ContentsCount();
            case DOUBLE -> contents.getFp64ContentsCount();
            case INT8, INT16, INT32 -> contents.getIntContentsCount();
            case INT64 -> contents.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> contents.getUintContentsCount();
            case UINT64 -> contents.getUint64ContentsCount();
            case BOOL -> contents.getBoolContentsCount();
            case STRING -> contents.getBytesContentsCount();
            default -> throw ServingException.invalidArgument("input '" + name + "': "
                    + dtype.v2Datatype() + " travels only in raw_input_contents");
        };
        if (given != n) {
            throw ServingException.invalidArgument("input '" + name + "' has " + given + " elements in "
                    + contentsField(dtype) + ", but shape " + java.util.Arrays.toString(shape) + " needs " + n
                    + misplaced(contents, contentsField(dtype)));
        }
        if (dtype == DType.STRING) {
            final byte[][] strings = new byte[n][];
            for (int i = 0; i < n; i++) {
                strings[i] = contents.getBytesContents(i).toByteArray();
            }
            return HostTensor.ofStrings(shape, strings);
        }
        final ByteBuffer data = HostTensor.allocate((long) n * dtype.byteSize());
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT -> data.putFloat(contents.getFp32Contents(i));
                case DOUBLE -> data.putDouble(contents.getFp64Contents(i));
                case INT8, UINT8 -> data.put((byte) (dtype == DType.INT8 ? contents.getIntContents(i)
                        : contents.getUintContents(i)));
                case INT16, UINT16 -> data.putShort((short) (dtype == DType.INT16 ? contents.getIntContents(i)
                        : contents.getUintContents(i)));
                case INT32 -> data.putInt(contents.getIntContents(i));
                case UINT32 -> data.putInt(contents.getUintContents(i));
                case INT64 -> data.putLong(contents.getInt64Contents(i));
                case UINT64 -> data.putLong(contents.getUint64Contents(i));
                case BOOL -> data.put(contents.getBoolContents(i) ? (byte) 1 : (byte) 0);
                default -> throw new IllegalStateException(dtype.name());
            }
        }
        data.flip();
        return HostTensor.of(dtype, shape, data);
    }

    private static List<String> outputs(final SignatureSpec signature, final ModelInferRequest request) {
        if (request.getOutputsCount() == 0) {
            return signature.outputAliases();
        }
        final Set<String> outputs = new LinkedHashSet<>();
        for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
            V2Inputs.requireOutput(signature, output.getName(), outputs);
            outputs.add(output.getName());
        }
        return new ArrayList<>(outputs);
    }

    private static ModelInferResponse response(final ModelInferRequest request, final LoadedModel model,
                                               final Map<String, HostTensor> tensors, final boolean raw) {
        final ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(request.getModelName()).setModelVersion(Long.toString(model.version()))
                .setId(request.getId());
        tensors.forEach((name, tensor) -> {
            final ModelInferResponse.InferOutputTensor.Builder output = ModelInferResponse.InferOutputTensor
                    .newBuilder().setName(name)
                    .setDatatype(tensor.dtype().v2Datatype());
            for (long dim : tensor.shape()) {
                output.addShape(dim);
            }
            if (raw) {
                final byte[] bytes = V2Tensors.binary(tensor);
                output.putParameters("binary_data_size", InferParameter.newBuilder().setInt64Param(bytes.length)
                        .build());
                response.addRawOutputContents(ByteString.copyFrom(bytes));
            } else {
                output.setContents(contents(name, tensor));
            }
            response.addOutputs(output);
        });
        return response.build();
    }

    private static InferTensorContents contents(final String name, final HostTensor tensor) {
        final InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        final int n = Math.toIntExact(tensor.numElements());
        for (int i = 0; i < n; i++) {
            switch (tensor.dtype()) {
                case FLOAT -> contents.addFp32Contents(tensor.floatAt(i));
                case DOUBLE -> contents.addFp64Contents(tensor.doubleAt(i));
                case INT32 -> contents.addIntContents(tensor.intAt(i));
                case INT64 -> contents.addInt64Contents(tensor.longAt(i));
                case UINT8 -> contents.addUintContents(tensor.unsignedByteAt(i));
                case UINT16 -> contents.addUintContents(tensor.unsignedShortAt(i));
                case BOOL -> contents.addBoolContents(tensor.boolAt(i));
                case STRING -> contents.addBytesContents(ByteString.copyFrom(tensor.stringAt(i)));
                default -> throw new ServingException(StatusCode.UNIMPLEMENTED, "output '" + name + "' of type "
                        + tensor.dtype().typeName() + " travels only raw; send the request raw");
            }
        }
        return contents.build();
    }
}
