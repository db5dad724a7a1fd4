package dev.corral.host.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A model's declared inputs and outputs, and the check of a request's tensors against them. */
final class ModelSignature {
    private final String modelName;
    private final Map<String, TensorInfo> inputs;
    private final Map<String, TensorInfo> outputs;

    private ModelSignature(String modelName, Map<String, TensorInfo> inputs, Map<String, TensorInfo> outputs) {
        this.modelName = modelName;
        this.inputs = Collections.unmodifiableMap(inputs);
        this.outputs = Collections.unmodifiableMap(outputs);
    }

    /**
     * Reads the session's metadata.
     *
     * @throws ModelLoadException when an input or output is not a tensor of a type Corral supports
     */
    static ModelSignature of(String modelName, OrtSession session) throws ModelLoadException, OrtException {
        return new ModelSignature(modelName,
                describe(modelName, "input", session.getInputInfo()),
                describe(modelName, "output", session.getOutputInfo()));
    }

    private static Map<String, TensorInfo> describe(String modelName, String role, Map<String, NodeInfo> nodes)
            throws ModelLoadException {
        Map<String, TensorInfo> described = new LinkedHashMap<>();
        for (NodeInfo node : nodes.values()) {
            if (!(node.getInfo() instanceof ai.onnxruntime.TensorInfo info)) {
                throw new ModelLoadException("model '" + modelName + "' " + role + " '" + node.getName() + "' is "
                        + node.getInfo() + ", but Corral exchanges only tensors with a model");
            }
            DType dtype = OrtTypes.dtypeOf(info.onnxType);
            if (dtype == null) {
                throw new ModelLoadException("model '" + modelName + "' " + role + " '" + node.getName()
                        + "' has element type " + OrtTypes.label(info.onnxType)
                        + ", which Corral does not support (supported: " + OrtTypes.supportedLabels() + ")");
            }
            described.put(node.getName(), new TensorInfo(node.getName(), dtype, info.getShape()));
        }
        return described;
    }

    Map<String, TensorInfo> inputs() {
        return inputs;
    }

    Map<String, TensorInfo> outputs() {
        return outputs;
    }

    /** Whether every input and output has an open dim 0 along which requests can be stacked and split. */
    boolean hasBatchDimension() {
        return !inputs.isEmpty()
                && inputs.values().stream().allMatch(ModelSignature::dynamicDim0)
                && outputs.values().stream().allMatch(ModelSignature::dynamicDim0);
    }

    private static boolean dynamicDim0(TensorInfo info) {
        return info.rank() > 0 && info.isDynamic(0);
    }

    /**
     * Checks that padding fits this model: every padded input and output exists, has an open
     * sequence dim 1, and each pad value fits its input's element type.
     *
     * @throws ModelLoadException naming the first tensor that does not fit
     */
    void checkPadding(SequencePadding padding) throws ModelLoadException {
        for (Map.Entry<String, Long> padded : padding.padValues().entrySet()) {
            TensorInfo input = sequenceTensor("input", padded.getKey(), inputs);
            if (!fits(input.dtype(), padded.getValue())) {
                throw new ModelLoadException("model '" + modelName + "': pad value " + padded.getValue()
                        + " for input '" + input.name() + "' does not fit its element type " + input.dtype().label());
            }
        }
        for (String output : padding.outputs()) {
            sequenceTensor("output", output, outputs);
        }
    }

    private TensorInfo sequenceTensor(String role, String name, Map<String, TensorInfo> declared)
            throws ModelLoadException {
        TensorInfo info = declared.get(name);
        if (info == null) {
            throw new ModelLoadException("model '" + modelName + "': padding names " + role + " '" + name
                    + "', which the model does not have (its " + role + "s: " + declared.keySet() + ")");
        }
        if (info.rank() <= SequencePadding.AXIS || !info.isDynamic(SequencePadding.AXIS)) {
            throw new ModelLoadException("model '" + modelName + "': padded " + role + " '" + name
                    + "' must have an open sequence dimension 1, but it is declared " + info.describe());
        }
        return info;
    }

    private static boolean fits(DType dtype, long value) {
        return switch (dtype) {
            case INT64, FLOAT32, FLOAT64 -> true;
            case INT32 -> value == (int) value;
            case INT8 -> value == (byte) value;
            case UINT8 -> value >= 0 && value <= 0xFF;
            case BOOL -> value == 0 || value == 1;
        };
    }

    /**
     * The model's inputs taken from {@code given}, in the model's order; tensors the model does
     * not take are left out.
     *
     * @throws ServingException INFERENCE_FAILED naming the first input that is missing or whose
     *                          type or static dimensions differ from the model's
     */
    Map<String, Tensor> select(Map<String, Tensor> given) {
        Map<String, Tensor> selected = new LinkedHashMap<>();
        for (TensorInfo expected : inputs.values()) {
            Tensor tensor = given.get(expected.name());
            if (tensor == null) {
                throw new ServingException(ErrorKind.INFERENCE_FAILED, "model '" + modelName + "' input '"
                        + expected.name() + "' is missing: expected " + expected.describe()
                        + ", got tensors " + given.keySet());
            }
            if (!accepts(expected, tensor)) {
                throw new ServingException(ErrorKind.INFERENCE_FAILED, "model '" + modelName + "' input '"
                        + expected.name() + "': expected " + expected.describe()
                        + ", got " + TensorInfo.describe(tensor.dtype(), tensor.shape()));
            }
            selected.put(expected.name(), tensor);
        }
        return selected;
    }

    private static boolean accepts(TensorInfo expected, Tensor tensor) {
        if (tensor.dtype() != expected.dtype() || tensor.rank() != expected.rank()) {
            return false;
        }
        long[] declared = expected.shape();
        for (int axis = 0; axis < declared.length; axis++) {
            if (declared[axis] != TensorInfo.DYNAMIC && tensor.dim(axis) != declared[axis]) {
                return false;
            }
        }
        return true;
    }

    /** Zero-filled inputs with every open dimension set to 1: a run that touches every kernel once. */
    Map<String, Tensor> warmUpInputs() {
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        for (TensorInfo input : inputs.values()) {
            long[] shape = input.shape();
            for (int axis = 0; axis < shape.length; axis++) {
                if (shape[axis] == TensorInfo.DYNAMIC) {
                    shape[axis] = 1;
                }
            }
            ByteBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(Tensor.byteSize(input.dtype(), shape)));
            zeros.put(input.name(), Tensor.of(input.dtype(), shape, data));
        }
        return zeros;
    }
}
