package dev.corral.host.sandbox;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.host.error.ServingException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads plugins (ABI.md §6 "At load") and owns what they share: the deadline watchdog thread
 * and the cache of parsed and compiled modules, keyed by sha256, so a module is compiled once
 * however many plugins (or reloads) use it. A cached module lives while a plugin loaded from
 * it is open.
 */
public final class PluginRuntime implements AutoCloseable {
    /** The ABI versions this host serves (ABI.md §9). */
    public static final int ABI_VERSION = 1;

    private final SandboxMode mode;
    private final Watchdog watchdog = new Watchdog();
    private final Map<String, CacheEntry> modules = new HashMap<>();

    public PluginRuntime(SandboxMode mode) {
        this.mode = mode;
    }

    public SandboxMode mode() {
        return mode;
    }

    /**
     * Checks, compiles (once per sha256) and instantiates a plugin, and calls its
     * {@code corral_abi_version}. The returned plugin holds one warm instance.
     *
     * @throws PluginLoadException naming the plugin and the reason, for every refusal of ABI.md §6
     */
    public Plugin load(PluginSpec spec) throws PluginLoadException {
        byte[] wasm = spec.wasm();
        if (wasm.length > PluginLimits.MAX_MODULE_BYTES) {
            throw ModuleRules.refuse(spec.name(), "is " + wasm.length + " bytes, more than the module size limit of "
                    + PluginLimits.MAX_MODULE_BYTES + " bytes");
        }
        String sha256 = sha256(wasm);
        if (spec.expectedSha256() != null && !spec.expectedSha256().equalsIgnoreCase(sha256)) {
            throw ModuleRules.refuse(spec.name(), "has sha256 " + sha256 + ", but the manifest pins "
                    + spec.expectedSha256());
        }
        PreparedModule module = acquire(spec.name(), sha256, wasm);
        Plugin plugin = null;
        try {
            ModuleRules.checkForSpec(spec, module.module());
            PluginDefinition definition = new PluginDefinition(spec.name(), module, spec.entryPoints(), spec.limits(),
                    ModuleRules.memoryLimits(module.module(), spec.limits().maxMemoryPages()), spec.config(), spec.tokenizer(),
                    System.getLogger("dev.corral.plugin." + spec.name()), watchdog);
            AtomicBoolean released = new AtomicBoolean();
            plugin = new Plugin(definition, spec, () -> {
                if (released.compareAndSet(false, true)) {
                    release(sha256);
                }
            });
            int version = plugin.abiVersion();
            if (version != ABI_VERSION) {
                throw ModuleRules.refuse(spec.name(), "declares ABI version " + version + " (" + ModuleRules.ABI_VERSION
                        + " returned " + version + "); this host serves version " + ABI_VERSION);
            }
            return plugin;
        } catch (ServingException e) {
            close(plugin, sha256);
            throw new PluginLoadException("plugin '" + spec.name() + "' failed its load-time check: " + e.getMessage(), e);
        } catch (PluginLoadException | RuntimeException e) {
            close(plugin, sha256);
            throw e;
        }
    }

    private void close(Plugin plugin, String sha256) {
        if (plugin != null) {
            plugin.close();
        } else {
            release(sha256);
        }
    }

    private PreparedModule acquire(String name, String sha256, byte[] wasm) throws PluginLoadException {
        synchronized (modules) {
            CacheEntry cached = modules.get(sha256);
            if (cached != null) {
                cached.users++;
                return cached.module;
            }
        }
        // Parse and compile outside the lock: another load of the same module may race us, and
        // the loser's work is dropped, but loads of other modules never wait for a compile.
        PreparedModule prepared = prepare(name, sha256, wasm);
        synchronized (modules) {
            CacheEntry entry = modules.computeIfAbsent(sha256, k -> new CacheEntry(prepared));
            entry.users++;
            return entry.module;
        }
    }

    private void release(String sha256) {
        synchronized (modules) {
            CacheEntry entry = modules.get(sha256);
            if (entry != null && --entry.users == 0) {
                modules.remove(sha256);
            }
        }
    }

    private PreparedModule prepare(String name, String sha256, byte[] wasm) throws PluginLoadException {
        WasmModule module;
        try {
            module = Parser.parse(wasm);
        } catch (RuntimeException e) {
            throw ModuleRules.refuse(name, "is not a valid WebAssembly module: " + e.getMessage());
        }
        ModuleRules.checkModule(name, module);
        if (mode == SandboxMode.INTERPRETED) {
            return new PreparedModule(sha256, module, null);
        }
        try {
            return new PreparedModule(sha256, module, MachineFactoryCompiler.compile(module));
        } catch (RuntimeException e) {
            throw new PluginLoadException("plugin '" + name + "' could not be compiled: " + e.getMessage(), e);
        }
    }

    /** Number of distinct modules cached now (for tests and metrics). */
    public int cachedModules() {
        synchronized (modules) {
            return modules.size();
        }
    }

    /** Stops the watchdog; plugins loaded by this runtime must not be called afterwards. */
    @Override
    public void close() {
        watchdog.close();
        synchronized (modules) {
            modules.clear();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    private static final class CacheEntry {
        final PreparedModule module;
        int users;

        CacheEntry(PreparedModule module) {
            this.module = module;
        }
    }
}
