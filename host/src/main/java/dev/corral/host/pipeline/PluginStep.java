package dev.corral.host.pipeline;

import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginOutput;

/** Calls one entry point of a sandboxed plugin with every tensor of the state as its inputs. */
public final class PluginStep implements PipelineStep {
    private final String name;
    private final Plugin plugin;
    private final String entry;

    public PluginStep(String name, Plugin plugin, String entry) {
        this.name = name;
        this.plugin = plugin;
        this.entry = entry;
    }

    @Override
    public String name() {
        return name;
    }

    public Plugin plugin() {
        return plugin;
    }

    /** The entry point this step calls; with {@link #plugin()}, what a caller needs to repeat the step's call. */
    public String entry() {
        return entry;
    }

    @Override
    public void run(PipelineState state, Parameters options, StageTimings timings) {
        long start = System.nanoTime();
        try {
            PluginOutput out = plugin.call(entry, state.tensors(), options);
            state.put(name, out.tensors());
            if (out.json() != null) {
                state.result(out.json());
            }
        } finally {
            timings.add(name, System.nanoTime() - start);
        }
    }

    @Override
    public void close() {
        plugin.close();
    }
}
