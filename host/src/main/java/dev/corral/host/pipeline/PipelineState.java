package dev.corral.host.pipeline;

import dev.corral.host.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The tensors a request has so far, by name, plus the JSON result once a step writes one.
 * Tensors are the only currency between steps: a step's outputs are added here, and any tensor
 * that is not consumed by the next step is carried on to later ones. Each tensor remembers the
 * step that wrote it, so that a step that finds a tensor missing or misshapen can say where the
 * request's tensors came from.
 */
public final class PipelineState {
    /** The producer named for the tensors the request itself brought. */
    static final String REQUEST = "request";

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> producers = new LinkedHashMap<>();
    private String resultJson;

    public PipelineState(Map<String, Tensor> initial) {
        put(REQUEST, initial);
    }

    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Adds (or replaces) the tensors a step wrote. */
    public void put(String step, Map<String, Tensor> produced) {
        tensors.putAll(produced);
        produced.keySet().forEach(name -> producers.put(name, step));
    }

    /** The last JSON result a step wrote, or null. */
    public String resultJson() {
        return resultJson;
    }

    public void result(String json) {
        resultJson = json;
    }

    /** Every tensor with its dtype, shape and producer, e.g. {@code image uint8[480,640,3] (request)}. */
    public String describe() {
        StringJoiner all = new StringJoiner(", ");
        tensors.forEach((name, t) -> all.add(name + " " + t + " (" + producers.get(name) + ")"));
        return all.length() == 0 ? "no tensors" : all.toString();
    }
}
