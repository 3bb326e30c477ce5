package io.ringserve.models;

import java.util.Optional;

/**
 * The element types a {@link HostTensor} can hold, named and numbered as TensorFlow's {@code DataType} enum.
 *
 * <p>{@link #byteSize()} is the fixed width of one element, or {@code -1} for {@link #STRING}, whose elements are
 * byte strings of any length. Only the types for which TensorFlow Java has a tensor class can be fed to or fetched
 * from a model ({@link #isRunnable()}); the others still appear in signatures and metadata.
 */
public enum DType {
    FLOAT(1, 4, "float", true),
    DOUBLE(2, 8, "double", true),
    INT32(3, 4, "int32", true),
    UINT8(4, 1, "uint8", true),
    INT16(5, 2, "int16", false),
    INT8(6, 1, "int8", false),
    STRING(7, -1, "string", true),
    INT64(9, 8, "int64", true),
    BOOL(10, 1, "bool", true),
    BFLOAT16(14, 2, "bfloat16", true),
    UINT16(17, 2, "uint16", true),
    HALF(19, 2, "half", true),
    UINT32(22, 4, "uint32", false),
    UINT64(23, 8, "uint64", false);

    private static final int REF_OFFSET = 100;

    private final int protoNumber;
    private final int byteSize;
    private final String typeName;
    private final boolean runnable;

    DType(final int protoNumber, final int byteSize, final String typeName, final boolean runnable) {
        this.protoNumber = protoNumber;
        this.byteSize = byteSize;
        this.typeName = typeName;
        this.runnable = runnable;
    }

    /** The number of this type in TensorFlow's {@code DataType} enum (DT_FLOAT = 1, ...). */
    public int protoNumber() {
        return protoNumber;
    }

    /** Bytes per element, or {@code -1} for variable-length strings. */
    public int byteSize() {
        return byteSize;
    }

    /** TensorFlow's short name for the type, as its error messages print it: {@code float}, {@code int64}, ... */
    public String typeName() {
        return typeName;
    }

    /** The enum constant name in TensorFlow's {@code DataType}: {@code DT_FLOAT}, {@code DT_INT64}, ... */
    public String protoName() {
        return "DT_" + name();
    }

    /** Whether TensorFlow Java can build and read tensors of this type. */
    public boolean isRunnable() {
        return runnable;
    }

    /** True for floating-point types. */
    public boolean isFloating() {
        return this == FLOAT || this == DOUBLE || this == HALF || this == BFLOAT16;
    }

    /**
     * The type with the given {@code DataType} number; reference types ({@code DT_FLOAT_REF} = 101, ...) map to
     * their base type, as TF Serving treats them.
     */
    public static Optional<DType> fromProtoNumber(final int number) {
        final int base = number > REF_OFFSET ? number - REF_OFFSET : number;
        for (DType type : values()) {
            if (type.protoNumber == base) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
