package io.ringserve.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Loads one SavedModel version directory ({@code <base_path>/<version>/saved_model.pb}) with the {@code serve} tag.
 * Stateless apart from its options; thread-safe. Loading blocks the calling thread.
 */
public final class SavedModelLoader {
    /** The MetaGraph tag TF Serving loads. */
    public static final String SERVE_TAG = "serve";

    private final SessionOptions options;

    public SavedModelLoader(final SessionOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Loads {@code directory} as version {@code version} of model {@code name}.
     *
     * @throws ModelLoadException if the directory holds no SavedModel or TensorFlow cannot load it
     */
    public LoadedModel load(final String name, final long version, final Path directory) {
        if (!Files.isRegularFile(directory.resolve("saved_model.pb"))
                && !Files.isRegularFile(directory.resolve("saved_model.pbtxt"))) {
            throw new ModelLoadException("NOT_FOUND", "Could not find SavedModel .pb or .pbtxt at supplied export "
                    + "directory path: " + directory, null);
        }
        final long start = System.nanoTime();
        final SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(directory.toString())
                    .withTags(options.savedModelTags().toArray(String[]::new))
                    .withConfigProto(configProto())
                    .load();
        } catch (TensorFlowException | IllegalArgumentException e) {
            // TF Java also refuses, with IllegalArgumentException, signatures whose dtypes disagree with the graph.
            throw new ModelLoadException("Failed to load SavedModel " + directory + ": " + e.getMessage(), e);
        }
        return new LoadedModel(name, version, directory, Duration.ofNanos(System.nanoTime() - start),
                readSignatures(bundle), bundle);
    }

    /**
     * The session configuration: the base configuration ({@code --tensorflow_session_config_file}) with the thread
     * counts and GPU share that are set (non-zero) in the options written over it, as TF Serving lets its flags
     * override the file.
     */
    ConfigProto configProto() {
        final ConfigProto.Builder config = options.baseConfig().toBuilder()
                // Models exported with ops pinned to /gpu:0 must still run on a CPU-only host, as in TF Serving.
                .setAllowSoftPlacement(true);
        if (options.intraOpParallelism() != 0) {
            config.setIntraOpParallelismThreads(options.intraOpParallelism());
        }
        if (options.interOpParallelism() != 0) {
            config.setInterOpParallelismThreads(options.interOpParallelism());
        }
        if (options.gpuMemoryFraction() > 0) {
            config.getGpuOptionsBuilder().setPerProcessGpuMemoryFraction(options.gpuMemoryFraction());
        }
        return config.build();
    }

    /**
     * The bundle's signatures, and each one's inputs and outputs, in the order of their keys: TensorFlow hands its
     * maps over in an order that changes from one process to the next, and clients see this order (metadata, KServe
     * V2 outputs and their binary chunks), so it must not.
     */
    static Map<String, SignatureSpec> readSignatures(final SavedModelBundle bundle) {
        final Map<String, SignatureSpec> signatures = new LinkedHashMap<>();
        for (Map.Entry<String, SignatureDef> e : new TreeMap<>(bundle.metaGraphDef().getSignatureDefMap()).entrySet()) {
            final SignatureDef def = e.getValue();
            signatures.put(e.getKey(), new SignatureSpec(e.getKey(), def.getMethodName(),
                    tensorSpecs(def.getInputsMap()), tensorSpecs(def.getOutputsMap())));
        }
        return signatures;
    }

    private static Map<String, TensorSpec> tensorSpecs(final Map<String, TensorInfo> infos) {
        final Map<String, TensorSpec> specs = new LinkedHashMap<>();
        new TreeMap<>(infos).forEach((alias, info) -> specs.put(alias, tensorSpec(alias, info)));
        return specs;
    }

    private static TensorSpec tensorSpec(final String alias, final TensorInfo info) {
        final Optional<TensorSpec.Shape> shape = info.hasTensorShape()
                ? Optional.of(shape(info.getTensorShape()))
                : Optional.empty();
        return new TensorSpec(alias, info.getName(), info.getDtype().name(), info.getDtypeValue(), shape);
    }

    private static TensorSpec.Shape shape(final TensorShapeProto proto) {
        final List<Long> dims = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (TensorShapeProto.Dim dim : proto.getDimList()) {
            dims.add(dim.getSize());
            names.add(dim.getName());
        }
        return new TensorSpec.Shape(dims, names, proto.getUnknownRank());
    }
}
