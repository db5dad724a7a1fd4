package dev.corral.host.sandbox;

import dev.corral.host.tensor.Tensor;
import java.util.Map;

/**
 * What a successful call wrote: its tensors in the order the plugin wrote them, and its JSON
 * result ({@code null} when the plugin wrote none). The JSON has been checked to be one object.
 */
public record PluginOutput(Map<String, Tensor> tensors, String json) {
}
