package dev.corral.host.engine;

import dev.corral.host.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request's outputs and where its time went (Triton's split: queue, then infer).
 *
 * @param outputs    this request's rows of every model output, in the model's output order
 * @param queueNanos from submission to the start of the run that served the request
 * @param inferNanos that run's duration (stacking, native run, copying outputs out)
 * @param batchSize  how many requests that run served together (1 without batching)
 */
public record InferenceResult(Map<String, Tensor> outputs, long queueNanos, long inferNanos, int batchSize) {
    public InferenceResult {
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }
}
