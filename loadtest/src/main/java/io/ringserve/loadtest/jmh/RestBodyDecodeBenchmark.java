package io.ringserve.loadtest.jmh;

import com.fasterxml.jackson.core.JsonFactory;
import io.ringserve.loadtest.InputSpec;
import io.ringserve.loadtest.RequestFactory;
import io.ringserve.models.DType;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.codec.JsonFactories;
import io.ringserve.server.codec.JsonPredictRequestDecoder;
import io.ringserve.server.codec.PredictRequest;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What reading a REST predict body costs the event loop: the body the load generator sends for the demo {@code mlp}
 * ({@link RequestFactory#restBody}: {@code {"signature_name": .., "instances": [[784 floats]]}}), decoded by the
 * server's {@link JsonPredictRequestDecoder} from its bytes (the byte-level path for plain decimals, as the server
 * runs it) and from a stream (Jackson's streaming parser only: the general decoder). Both produce the same tensor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RestBodyDecodeBenchmark {
    @Param({"784"})
    public int values;

    private byte[] body;
    private JsonPredictRequestDecoder decoder;
    private Function<String, SignatureSpec> signatures;

    @Setup
    public void setUp() {
        body = new RequestFactory("mlp", SignatureSpec.DEFAULT_KEY,
                List.of(new InputSpec("x", "DT_FLOAT", List.of(-1L, (long) values))), 42).restBody(1);
        final JsonFactory factory = JsonFactories.tfServing(64 << 20);
        decoder = new JsonPredictRequestDecoder(factory);
        final SignatureSpec signature = new SignatureSpec(SignatureSpec.DEFAULT_KEY, "tensorflow/serving/predict",
                Map.of("x", new TensorSpec("x", "x:0", DType.FLOAT.protoName(), DType.FLOAT.protoNumber(),
                        Optional.empty())), Map.of());
        signatures = name -> signature;
        final PredictRequest fast = fromBytes();
        final PredictRequest general = generalDecoder();
        if (!fast.inputs().get("x").data().equals(general.inputs().get("x").data())
                || fast.inputs().get("x").numElements() != values) {
            throw new IllegalStateException("the two decoders disagree on the benchmark body");
        }
    }

    /** As the server reads a body: from its bytes, the plain-decimals path first. */
    @Benchmark
    public PredictRequest fromBytes() {
        return decoder.decode(body, 0, body.length, signatures);
    }

    /** The general decoder alone: Jackson's streaming parser into primitive arrays. */
    @Benchmark
    public PredictRequest generalDecoder() {
        return decoder.decode(() -> new ByteArrayInputStream(body), signatures);
    }
}
