package dev.corral.host.engine;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** One caller's validated inputs waiting for a run, and the place its result is delivered. */
final class InferenceRequest {
    private final Map<String, Tensor> inputs;
    private final int rows;
    private final long sequenceLength;
    private final String shapeKey;
    private final long submittedNanos = System.nanoTime();
    private final CompletableFuture<InferenceResult> result = new CompletableFuture<>();

    private InferenceRequest(Map<String, Tensor> inputs, int rows, long sequenceLength, String shapeKey) {
        this.inputs = inputs;
        this.rows = rows;
        this.sequenceLength = sequenceLength;
        this.shapeKey = shapeKey;
    }

    /** A request that runs on its own, as the caller shaped it. */
    static InferenceRequest single(Map<String, Tensor> inputs) {
        return new InferenceRequest(inputs, 1, 0, "");
    }

    /**
     * A request that may share a run: its rows are the inputs' common dim 0, and it can be stacked
     * with requests whose other dimensions are the same, apart from dim 1 of padded inputs.
     *
     * @param padding the model's sequence padding, or {@code null} when it has none
     * @throws ServingException INFERENCE_FAILED when the inputs disagree on dim 0, or padded
     *                          inputs disagree on dim 1 (the sequence length)
     */
    static InferenceRequest batchable(String modelName, Map<String, Tensor> inputs, SequencePadding padding) {
        long rows = -1;
        String rowsFrom = null;
        long length = 0;
        String lengthFrom = null;
        StringBuilder key = new StringBuilder();
        for (Map.Entry<String, Tensor> input : inputs.entrySet()) {
            long[] shape = input.getValue().shape();
            if (rowsFrom != null && shape[0] != rows) {
                throw new ServingException(ErrorKind.INFERENCE_FAILED, "model '" + modelName
                        + "' stacks its inputs on dim 0, but input '" + rowsFrom + "' has " + rows
                        + " rows and input '" + input.getKey() + "' has " + shape[0]);
            }
            rows = shape[0];
            rowsFrom = input.getKey();
            if (padding != null && padding.padsInput(input.getKey())) {
                long own = shape[SequencePadding.AXIS];
                if (lengthFrom != null && own != length) {
                    throw new ServingException(ErrorKind.INFERENCE_FAILED, "model '" + modelName
                            + "' pads its inputs along dim 1 as one sequence, but input '" + lengthFrom
                            + "' has length " + length + " and input '" + input.getKey() + "' has " + own);
                }
                length = own;
                lengthFrom = input.getKey();
                // Any length shares a batch: the batch pads to its longest.
                shape[SequencePadding.AXIS] = TensorInfo.DYNAMIC;
            }
            key.append(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
        }
        return new InferenceRequest(inputs, Math.toIntExact(rows), length, key.toString());
    }

    Map<String, Tensor> inputs() {
        return inputs;
    }

    int rows() {
        return rows;
    }

    /** Dim 1 of the padded inputs; 0 when the model pads none. */
    long sequenceLength() {
        return sequenceLength;
    }

    /** Equal for requests that can be stacked together: same dimensions apart from dim 0 and
     *  padded sequence lengths. */
    String shapeKey() {
        return shapeKey;
    }

    long submittedNanos() {
        return submittedNanos;
    }

    void complete(InferenceResult outcome) {
        result.complete(outcome);
    }

    /** Fails the request unless it already has its result. */
    void fail(ServingException failure) {
        result.completeExceptionally(failure);
    }

    /** Waits for the run that serves this request and returns its result or throws its failure. */
    InferenceResult await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServingException failure) {
                throw failure;
            }
            throw new ServingException(ErrorKind.INTERNAL, "inference ended unexpectedly: " + e.getCause(), e.getCause());
        }
    }
}
