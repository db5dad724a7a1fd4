package dev.corral.host.sandbox;

import dev.corral.host.tokenize.ModelTokenizer;
import java.util.Objects;
import java.util.Set;

/**
 * Everything needed to load one plugin.
 *
 * @param name           how messages and logs name the plugin
 * @param wasm           the module's bytes
 * @param expectedSha256 the sha256 (hex) the manifest pins, or {@code null} for a trusted
 *                       built-in; the module is hashed either way
 * @param entryPoints    the exports that calls may name; each must be {@code () -> i32}
 * @param limits         already merged from the manifest; clamped again by {@link PluginLimits}
 * @param config         the step's trusted config, read by {@code config_*}
 * @param tokenizer      the tokenizer the manifest grants this step (ABI.md §4.5), or {@code null}
 *                       when it grants none: then the {@code tokenizer_*} imports fail the call
 */
public record PluginSpec(String name, byte[] wasm, String expectedSha256, Set<String> entryPoints,
                         PluginLimits limits, Parameters config, ModelTokenizer tokenizer) {
    public PluginSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wasm, "wasm");
        entryPoints = Set.copyOf(entryPoints);
        limits = limits == null ? PluginLimits.defaults() : limits;
        config = config == null ? Parameters.empty() : config;
    }

    /** A plugin granted no capability. */
    public PluginSpec(String name, byte[] wasm, String expectedSha256, Set<String> entryPoints,
                      PluginLimits limits, Parameters config) {
        this(name, wasm, expectedSha256, entryPoints, limits, config, null);
    }
}
