package dev.corral.host.engine;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import dev.corral.host.tensor.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Maps Corral's element types onto ONNX Runtime's. Mapped by name on purpose:
 * {@code OnnxTensorType.value} is ONNX Runtime's own enum number, not the ONNX code in {@link DType}.
 */
final class OrtTypes {
    private static final String ONNX_PREFIX = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";

    private OrtTypes() {
    }

    /** Corral's type for an ONNX Runtime element type, or {@code null} when Corral has none. */
    static DType dtypeOf(OnnxTensorType type) {
        return switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DType.FLOAT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DType.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DType.FLOAT64;
            default -> null;
        };
    }

    static OnnxJavaType javaTypeOf(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> OnnxJavaType.FLOAT;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT8 -> OnnxJavaType.INT8;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
            case FLOAT64 -> OnnxJavaType.DOUBLE;
        };
    }

    /** ONNX's short name of an element type, e.g. {@code float16}, for messages. */
    static String label(OnnxTensorType type) {
        return type.name().replace(ONNX_PREFIX, "").toLowerCase(Locale.ROOT);
    }

    /** The supported type names, for messages. */
    static String supportedLabels() {
        return Arrays.stream(DType.values()).map(DType::label).collect(Collectors.joining(", "));
    }
}
