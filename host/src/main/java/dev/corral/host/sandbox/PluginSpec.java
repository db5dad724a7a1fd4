package dev.corral.host.sandbox;

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
 */
public record PluginSpec(String name, byte[] wasm, String expectedSha256, Set<String> entryPoints,
                         PluginLimits limits, Parameters config) {
    public PluginSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wasm, "wasm");
        entryPoints = Set.copyOf(entryPoints);
        limits = limits == null ? PluginLimits.defaults() : limits;
        config = config == null ? Parameters.empty() : config;
    }
}
