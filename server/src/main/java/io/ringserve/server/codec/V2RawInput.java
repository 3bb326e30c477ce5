package io.ringserve.server.codec;

import io.ringserve.models.DType;
import io.ringserve.models.HostTensor;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.server.inference.ServingException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The input of a KServe V2 raw binary request ({@code Inference-Header-Content-Length: 0}): the whole body is the
 * bytes of the signature's one input, its shape deduced from the signature as Triton deduces it. A signature whose
 * first dimension is the batch takes one row ({@code [1, ...]}); at most one other dimension may be unknown, and its
 * size follows from the body's length. A string input must be one element ({@code [1]}), the body its bytes.
 * Errors are INVALID_ARGUMENT in Triton's words. Stateless.
 */
public final class V2RawInput {
    private V2RawInput() {
    }

    /**
     * The input tensor of a raw request to {@code model}.
     *
     * @param body the request's body, little-endian and row-major as the binary extension lays tensors out
     */
    public static Map<String, HostTensor> read(final String model, final SignatureSpec signature,
                                               final ByteBuffer body) {
        if (signature.inputs().size() != 1) {
            throw ServingException.invalidArgument("Raw request must only have 1 input (found 1) to be deduced but "
                    + "got " + signature.inputs().size() + " inputs in '" + model + "' model signature '"
                    + signature.key() + "'");
        }
        final TensorSpec input = signature.inputs().values().iterator().next();
        final DType dtype = input.dtype().filter(DType::isRunnable).orElseThrow(() ->
                ServingException.invalidArgument("The raw input '" + input.alias() + "' is " + input.dtypeName()
                        + ", which cannot be fed"));
        final long[] shape = declaredShape(input);
        if (dtype == DType.STRING) {
            if (!Arrays.equals(shape, new long[] {1})) {
                throw ServingException.invalidArgument("For BYTE datatype raw input '" + input.alias()
                        + "', the model must have input shape [1]");
            }
            final byte[] element = new byte[body.remaining()];
            body.duplicate().get(element);
            return Map.of(input.alias(), HostTensor.ofStrings(shape, new byte[][] {element}));
        }
        deduce(input.alias(), shape, dtype, body.remaining());
        final ByteBuffer data = HostTensor.allocate(body.remaining());
        data.put(body.duplicate()).flip();
        return Map.of(input.alias(), HostTensor.of(dtype, shape, data));
    }

    /** The input's declared shape with the batch dimension, when it has one, set to one row. */
    private static long[] declaredShape(final TensorSpec input) {
        if (input.shape().isEmpty() || input.shape().get().unknownRank()) {
            throw ServingException.invalidArgument("The shape of the raw input '" + input.alias()
                    + "' can not be deduced because the model does not declare it");
        }
        final List<Long> dims = input.shape().get().dims();
        final long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = i == 0 && dims.get(0) < 0 ? 1 : dims.get(i);
        }
        return shape;
    }

    /** Sets the one unknown dimension of {@code shape} from the body's length, or checks the length fits. */
    private static void deduce(final String alias, final long[] shape, final DType dtype, final int bytes) {
        int unknown = -1;
        long known = dtype.byteSize();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                if (unknown >= 0) {
                    throw ServingException.invalidArgument("The shape of the raw input '" + alias + "' can not be "
                            + "deduced because there are more than one variable-sized dimension");
                }
                unknown = i;
            } else {
                known *= shape[i];
            }
        }
        if (unknown >= 0 && known > 0 && bytes % known == 0) {
            shape[unknown] = bytes / known;
            return;
        }
        if (unknown < 0 && known == bytes) {
            return;
        }
        final String fits = unknown < 0 ? " needs " : " takes a multiple of ";
        throw ServingException.invalidArgument("The raw input '" + alias + "' has " + bytes + " bytes, but shape "
                + Arrays.toString(shape) + " of " + dtype.v2Datatype() + fits + known);
    }
}
