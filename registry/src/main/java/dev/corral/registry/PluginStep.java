package dev.corral.registry;

import java.util.Map;
import java.util.Set;

/**
 * A step that calls a WebAssembly plugin's entry point.
 *
 * @param name   the step's name (default: the plugin's name, or a third-party plugin's file name
 *               without {@code .wasm})
 * @param plugin which plugin
 * @param entry  the exported entry point to call (default {@code process})
 * @param config the step's {@code config}, trusted (written by the model's owner). Values are
 *               {@code String}, {@code Long}, {@code Double}, {@code Boolean}, unmodifiable
 *               {@code List}/{@code Map} of those, or — only as a top-level value — a
 *               {@link FileValue} that the host replaces with the text of that file. Never null.
 * @param limits the step's own limits; combine with the model's by
 *               {@code step.limits().orElse(manifest.limits())}
 * @param capabilities the host capabilities granted to this step (default none); a plugin that
 *                     calls an ungranted capability's import fails
 */
public record PluginStep(String name, PluginRef plugin, String entry, Map<String, Object> config, Limits limits,
                         Set<Capability> capabilities) implements PipelineStep {
    public static final String DEFAULT_ENTRY = "process";

    public PluginStep {
        capabilities = Set.copyOf(capabilities);
    }
}
