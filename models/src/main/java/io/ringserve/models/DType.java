package io.ringserve.models;

import java.util.Arrays;
import java.util.Optional;

/**
 * The element types a {@link HostTensor} can hold, named and numbered as TensorFlow's {@code DataType} enum, each
 * with its datatype name in KServe V2 (the Open Inference Protocol: {@code FP32}, {@code BYTES}, ...).
 *
 * <p>{@link #byteSize()} is the fixed width of one element, or {@code -1} for {@link #STRING}, whose elements are
 * byte strings of any length. Only the types for which TensorFlow Java has a tensor class can be fed to or fetched
 * from a model ({@link #isRunnable()}); the others still appear in signatures and metadata.
 */
public enum DType {
    FLOAT(1, 4, "float", "FP32", true),
    DOUBLE(2, 8, "double", "FP64", true),
    INT32(3, 4, "int32", "INT32", true),
    UINT8(4, 1, "uint8", "UINT8", true),
    INT16(5, 2, "int16", "INT16", false),
    INT8(6, 1, "int8", "INT8", false),
    STRING(7, -1, "string", "BYTES", true),
    INT64(9, 8, "int64", "INT64", true),
    BOOL(10, 1, "bool", "BOOL", true),
    BFLOAT16(14, 2, "bfloat16", "BF16", true),
    UINT16(17, 2, "uint16", "UINT16", true),
    HALF(19, 2, "half", "FP16", true),
    UINT32(22, 4, "uint32", "UINT32", false),
    UINT64(23, 8, "uint64", "UINT64", false);

    private static final int REF_OFFSET = 100;

    private final int protoNumber;
    private final int byteSize;
    private final String typeName;
    private final String v2Datatype;
    private final boolean runnable;

    DType(final int protoNumber, final int byteSize, final String typeName, final String v2Datatype,
          final boolean runnable) {
        this.protoNumber = protoNumber;
        this.byteSize = byteSize;
        this.typeName = typeName;
        this.v2Datatype = v2Datatype;
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

    /** The type's name in KServe V2 tensors: {@code FP32}, {@code INT64}, {@code BYTES} (strings), ... */
    public String v2Datatype() {
        return v2Datatype;
    }

    /** Whether TensorFlow Java can build and read tensors of this type. */
    public boolean isRunnable() {
        return runnable;
    }

    /** True for floating-point types. */
    public boolean isFloating() {
        return this == FLOAT || this == DOUBLE || this == HALF || this == BFLOAT16;
    }

    /** The type named {@code name} in TensorFlow's {@code DataType} ({@code DT_FLOAT}, ...), if there is one. */
    public static Optional<DType> fromProtoName(final String name) {
        return Arrays.stream(values()).filter(type -> type.protoName().equals(name)).findFirst();
    }

    /** The type whose KServe V2 datatype is {@code datatype} ({@code FP32}, ...), if there is one. */
    public static Optional<DType> fromV2Datatype(final String datatype) {
        return Arrays.stream(values()).filter(type -> type.v2Datatype.equals(datatype)).findFirst();
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
