package dev.corral.host.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Moves tensors across the ONNX Runtime boundary.
 *
 * <p>In: ONNX Runtime wraps a direct buffer without copying (the tensor keeps a reference to it;
 * the memory stays the JVM's); a heap {@code ByteBuffer} with a non-byte type is not accepted by
 * {@code createTensor} at all (it casts it to the typed buffer), so heap data is copied into a
 * direct buffer here. The bytes go in as they are, so they must be little-endian, which is
 * {@link Tensor}'s order and the native order on every platform ONNX Runtime ships for.
 * <p>Out: each output is copied once out of native memory, so that the {@code Result} can be
 * closed at once.
 */
final class OrtTensors {
    private OrtTensors() {
    }

    /** Native tensors for a run; closing this closes every one of them. */
    static final class OnnxInputs implements AutoCloseable {
        private final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();

        Map<String, OnnxTensor> tensors() {
            return tensors;
        }

        @Override
        public void close() {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    static OnnxInputs toOnnx(OrtEnvironment env, Map<String, Tensor> inputs) throws OrtException {
        OnnxInputs onnx = new OnnxInputs();
        try {
            for (Map.Entry<String, Tensor> input : inputs.entrySet()) {
                Tensor tensor = input.getValue();
                onnx.tensors.put(input.getKey(), OnnxTensor.createTensor(env, directData(tensor), tensor.shape(),
                        OrtTypes.javaTypeOf(tensor.dtype())));
            }
            return onnx;
        } catch (OrtException | RuntimeException e) {
            onnx.close();
            throw e;
        }
    }

    private static ByteBuffer directData(Tensor tensor) {
        ByteBuffer data = tensor.data();
        if (data.isDirect()) {
            return data;
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        return copy.put(data).flip();
    }

    /** Copies every output of a run, in the model's output order. */
    static Map<String, Tensor> toTensors(OrtSession.Result result) {
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> output : result) {
            if (!(output.getValue() instanceof OnnxTensor tensor)) {
                throw new IllegalStateException("output '" + output.getKey() + "' is " + output.getValue().getInfo()
                        + ", not a tensor");
            }
            ai.onnxruntime.TensorInfo info = tensor.getInfo();
            DType dtype = OrtTypes.dtypeOf(info.onnxType);
            if (dtype == null) {
                throw new IllegalStateException("output '" + output.getKey() + "' has element type "
                        + OrtTypes.label(info.onnxType) + ", which Corral does not support");
            }
            outputs.put(output.getKey(), Tensor.of(dtype, info.getShape(), tensor.getByteBuffer()));
        }
        return outputs;
    }
}
