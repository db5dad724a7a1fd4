package dev.corral.host.sandbox;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.Tensor;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;

/**
 * One Chicory instance of a plugin with its own {@link CallContext}. Not thread-safe: the pool
 * lends it to one call at a time. Once a call ends abnormally (trap, deadline, host refusal)
 * the guest was unwound mid-flight and its state is unknown, so it is {@link #broken()}.
 */
final class PluginInstance {
    /**
     * Chicory 1.7.5's interpreter checks the interrupt only at calls and {@code br}; without
     * this a {@code br_if} or {@code br_table} loop would ignore the deadline. Compiled code
     * checks at every backward branch and never calls the listener.
     */
    private static final ExecutionListener INTERRUPT_AT_BRANCHES = (instruction, stack) -> {
        OpCode op = instruction.opcode();
        if ((op == OpCode.BR_IF || op == OpCode.BR_TABLE) && Thread.currentThread().isInterrupted()) {
            throw new ChicoryInterruptedException("Thread interrupted");
        }
    };

    private final PluginDefinition plugin;
    private final CallContext context;
    private final Map<String, Entry> entries = new HashMap<>();
    private boolean broken;

    private PluginInstance(PluginDefinition plugin, CallContext context, Instance instance) {
        this.plugin = plugin;
        this.context = context;
        for (String name : plugin.entryPoints()) {
            entries.put(name, new Entry(instance.export(name), "in '" + name + "'"));
        }
        entries.put(ModuleRules.ABI_VERSION,
                new Entry(instance.export(ModuleRules.ABI_VERSION), "in " + ModuleRules.ABI_VERSION));
    }

    /** Instantiates the module; its start function runs under the deadline. */
    static PluginInstance create(PluginDefinition plugin) {
        CallContext context = new CallContext(plugin.name(), plugin.config(), plugin.limits().maxOutputBytes());
        Instance.Builder builder = Instance.builder(plugin.module().module())
                .withImportValues(HostImports.bind(context, plugin.tokenizer(), plugin.logger()))
                .withMemoryLimits(plugin.memoryLimits())
                // A plain byte[] behind the guest's memory: Chicory's default ByteBuffer memory
                // costs about a third more per load/store in the preprocessor's inner loop.
                .withMemoryFactory(ByteArrayMemory::new)
                .withUnsafeExecutionListener(INTERRUPT_AT_BRANCHES);
        if (plugin.module().machineFactory() != null) {
            builder.withMachineFactory(plugin.module().machineFactory());
        }
        Instance instance = GuestCall.run(plugin, "while instantiating", builder::build);
        return new PluginInstance(plugin, context, instance);
    }

    boolean broken() {
        return broken;
    }

    /** {@code corral_abi_version()}, called once at load. */
    int abiVersion() {
        return (int) invoke(entries.get(ModuleRules.ABI_VERSION));
    }

    /**
     * Calls an entry point with inputs and options in scope (ABI.md §5).
     *
     * @throws ServingException for a non-zero return (kind from {@code set_error}) or an abnormal end
     */
    PluginOutput call(String entry, Map<String, Tensor> inputs, Parameters options) {
        Entry target = entries.get(entry);
        context.begin(inputs, options);
        try {
            int rc = (int) invoke(target);
            if (rc == 0) {
                return context.output();
            }
            throw refusal(target, rc);
        } finally {
            if (context.logDropped() > 0) {
                plugin.logger().log(Level.WARNING, "plugin '" + plugin.name() + "': dropped "
                        + context.logDropped() + " log lines over the limit of " + CallContext.MAX_LOG_LINES
                        + " lines and " + CallContext.MAX_LOG_BYTES + " bytes a call");
            }
            context.end();
        }
    }

    private long invoke(Entry target) {
        try {
            return GuestCall.run(plugin, target.activity, () -> target.function.apply())[0];
        } catch (ServingException e) {
            broken = true;
            throw e;
        }
    }

    private ServingException refusal(Entry target, int rc) {
        String who = "plugin '" + plugin.name() + "' ";
        String message = context.errorMessage();
        return switch (context.errorCode()) {
            case 2 -> new ServingException(ErrorKind.INVALID_INPUT, who + "rejected the input " + target.activity + ": " + message);
            case 3 -> new ServingException(ErrorKind.INVALID_OPTION, who + "rejected an option " + target.activity + ": " + message);
            case 1 -> new ServingException(ErrorKind.PLUGIN_FAILED, who + "failed " + target.activity + ": " + message);
            default -> new ServingException(ErrorKind.PLUGIN_FAILED, who + "failed " + target.activity
                    + ": entry point returned " + rc);
        };
    }

    private record Entry(ExportFunction function, String activity) {
    }
}
