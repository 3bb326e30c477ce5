package io.ringserve.models;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One input or output of a signature, as the SavedModel's {@code TensorInfo} declares it.
 *
 * @param alias the key clients use (the signature's map key, e.g. {@code x})
 * @param tensorName the graph tensor behind it (e.g. {@code x:0}); empty when the tensor is not dense
 * @param dtypeName TensorFlow's enum name of the declared type, kept verbatim (e.g. {@code DT_FLOAT},
 *     {@code DT_INVALID}) so metadata shows exactly what the model declares
 * @param dtypeNumber the declared {@code DataType} number
 * @param shape the declared shape, or empty when the TensorInfo carries none
 */
public record TensorSpec(String alias, String tensorName, String dtypeName, int dtypeNumber,
                         Optional<Shape> shape) {

    public TensorSpec {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(tensorName, "tensorName");
        Objects.requireNonNull(dtypeName, "dtypeName");
        Objects.requireNonNull(shape, "shape");
    }

    /** The declared type as a {@link DType}, if ringserve knows it. */
    public Optional<DType> dtype() {
        return DType.fromProtoNumber(dtypeNumber);
    }

    /**
     * A declared shape.
     *
     * @param dims the dimensions, {@code -1} for an unknown size
     * @param dimNames the optional dimension names, parallel to {@code dims}
     * @param unknownRank true when not even the rank is known (then {@code dims} is empty)
     */
    public record Shape(List<Long> dims, List<String> dimNames, boolean unknownRank) {
        public Shape {
            dims = List.copyOf(dims);
            dimNames = List.copyOf(dimNames);
            if (dims.size() != dimNames.size()) {
                throw new IllegalArgumentException("dims and dimNames differ in length");
            }
        }
    }
}
