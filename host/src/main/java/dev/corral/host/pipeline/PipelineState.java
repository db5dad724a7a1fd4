package dev.corral.host.pipeline;

import dev.corral.host.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a request has so far, by name, plus the JSON result once a step writes one.
 * Tensors are the only currency between steps: a step's outputs are added here, and any tensor
 * that is not consumed by the next step is carried on to later ones.
 */
public final class PipelineState {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private String resultJson;

    public PipelineState(Map<String, Tensor> initial) {
        tensors.putAll(initial);
    }

    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public void putAll(Map<String, Tensor> produced) {
        tensors.putAll(produced);
    }

    /** The last JSON result a step wrote, or null. */
    public String resultJson() {
        return resultJson;
    }

    public void result(String json) {
        resultJson = json;
    }
}
