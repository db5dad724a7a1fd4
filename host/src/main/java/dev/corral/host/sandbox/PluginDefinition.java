package dev.corral.host.sandbox;

import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.corral.host.tokenize.ModelTokenizer;
import java.lang.System.Logger;
import java.util.Set;

/** What every instance of one loaded plugin shares: its module, limits, config and the runtime's watchdog. */
record PluginDefinition(String name, PreparedModule module, Set<String> entryPoints, PluginLimits limits,
                        MemoryLimits memoryLimits, Parameters config, ModelTokenizer tokenizer, Logger logger,
                        Watchdog watchdog) {
}
