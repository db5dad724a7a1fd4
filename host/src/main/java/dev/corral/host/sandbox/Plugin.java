package dev.corral.host.sandbox;

import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loaded plugin: thread-safe, each call runs on an instance borrowed from the plugin's pool.
 * Made by {@link PluginRuntime#load}.
 */
public final class Plugin implements AutoCloseable {
    private final PluginDefinition definition;
    private final PluginSpec spec;
    private final InstancePool pool;
    private final Runnable onClose;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failures = new LongAdder();

    Plugin(PluginDefinition definition, PluginSpec spec, Runnable onClose) {
        this.definition = definition;
        this.spec = spec;
        this.pool = new InstancePool(definition);
        this.onClose = onClose;
    }

    public String name() {
        return definition.name();
    }

    /**
     * The spec this plugin was loaded from (module bytes, config, tokenizer grant, limits), so
     * that the very same plugin can be loaded again elsewhere, e.g. into an interpreted runtime
     * by the differential tests (ABI.md §8). Holding it keeps the module's bytes alive as long as
     * the plugin.
     */
    public PluginSpec spec() {
        return spec;
    }

    /** The module's sha256, lower-case hex. */
    public String sha256() {
        return definition.module().sha256();
    }

    /**
     * Calls entry point {@code entry} with the step's inputs (in the map's iteration order,
     * which is the order {@code input_name} reports) and the request's options.
     *
     * @throws IllegalArgumentException when {@code entry} is not one of the spec's entry points
     * @throws ServingException         PLUGIN_FAILED, INVALID_INPUT, INVALID_OPTION,
     *                                  PLUGIN_DEADLINE_EXCEEDED, PLUGIN_LIMIT_EXCEEDED,
     *                                  PLUGIN_ABI_VIOLATION (ABI.md §5, §6); QUEUE_FULL when every
     *                                  instance stayed busy for the deadline; MODEL_NOT_READY once closed
     */
    public PluginOutput call(String entry, Map<String, Tensor> inputs, Parameters options) {
        if (!definition.entryPoints().contains(entry)) {
            throw new IllegalArgumentException("plugin '" + name() + "' has no entry point '" + entry
                    + "'; its spec names " + definition.entryPoints());
        }
        calls.increment();
        PluginInstance instance = null;
        try {
            instance = pool.acquire();
            return instance.call(entry, inputs, options);
        } catch (ServingException e) {
            failures.increment();
            throw e;
        } finally {
            if (instance != null) {
                pool.release(instance);
            }
        }
    }

    public PluginStats stats() {
        return new PluginStats(calls.sum(), failures.sum(), pool.created(), pool.discarded(), pool.idle(), pool.live());
    }

    /** Calls {@code corral_abi_version} once on a fresh instance, which then joins the pool. */
    int abiVersion() {
        PluginInstance instance = pool.acquire();
        try {
            return instance.abiVersion();
        } finally {
            pool.release(instance);
        }
    }

    /** Drops the idle instances; later calls fail with MODEL_NOT_READY. */
    @Override
    public void close() {
        pool.close();
        onClose.run();
    }
}
