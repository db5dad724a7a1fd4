package dev.corral.host.tensor;

/**
 * Element types a tensor may carry between pipeline steps. The codes are ONNX's
 * {@code TensorProto.DataType} numbers, which is what plugins see through the ABI.
 */
public enum DType {
    FLOAT32(1, 4, "float32"),
    UINT8(2, 1, "uint8"),
    INT8(3, 1, "int8"),
    INT32(6, 4, "int32"),
    INT64(7, 8, "int64"),
    BOOL(9, 1, "bool"),
    FLOAT64(11, 8, "float64");

    private final int code;
    private final int byteSize;
    private final String label;

    DType(int code, int byteSize, String label) {
        this.code = code;
        this.byteSize = byteSize;
        this.label = label;
    }

    /** The ABI / ONNX code of this type. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The lower-case name used in JSON and error messages, e.g. {@code float32}. */
    public String label() {
        return label;
    }

    /** The type for an ABI code, or {@code null} when the code names no supported type. */
    public static DType ofCode(int code) {
        for (DType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
