package dev.corral.host.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Runs one batch on the calling (pool) thread and delivers each request's share of the outputs. */
final class BatchRunner {
    private final String modelName;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final StatsRecorder stats;
    private final SequencePadding padding;

    /** @param padding the model's sequence padding, or {@code null} when it has none */
    BatchRunner(String modelName, OrtEnvironment env, OrtSession session, StatsRecorder stats,
                SequencePadding padding) {
        this.modelName = modelName;
        this.env = env;
        this.session = session;
        this.stats = stats;
        this.padding = padding;
    }

    /**
     * Runs the batch; a failed run fails every request in it with INFERENCE_FAILED and leaves the
     * session serving.
     */
    void run(List<InferenceRequest> batch) {
        long start = System.nanoTime();
        List<Map<String, Tensor>> outputs;
        try {
            if (batch.size() == 1) {
                outputs = List.of(runOnce(batch.getFirst().inputs()));
            } else {
                outputs = BatchTensors.split(runOnce(BatchTensors.stack(batch, padding)), batch, padding);
            }
        } catch (OrtException | RuntimeException e) {
            ServingException failure = new ServingException(ErrorKind.INFERENCE_FAILED, "model '" + modelName
                    + "' failed to run a batch of " + batch.size() + " request(s): " + e.getMessage(), e);
            stats.failed(batch.size());
            batch.forEach(request -> request.fail(failure));
            return;
        }
        long runNanos = System.nanoTime() - start;
        // Counted before any caller wakes up, so that a caller reading the stats sees its own run.
        stats.ran(batch.size(), batch.stream().mapToLong(InferenceRequest::rows).sum(),
                batch.stream().mapToLong(request -> start - request.submittedNanos()).sum(), runNanos);
        for (int i = 0; i < batch.size(); i++) {
            InferenceRequest request = batch.get(i);
            request.complete(new InferenceResult(outputs.get(i), start - request.submittedNanos(), runNanos,
                    batch.size()));
        }
    }

    /** One native run; every native tensor it creates is closed before it returns. */
    Map<String, Tensor> runOnce(Map<String, Tensor> inputs) throws OrtException {
        try (OrtTensors.OnnxInputs onnx = OrtTensors.toOnnx(env, inputs);
             OrtSession.Result result = session.run(onnx.tensors())) {
            return OrtTensors.toTensors(result);
        }
    }
}
