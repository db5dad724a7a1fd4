package dev.corral.host.sandbox;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;
import java.util.Locale;

/**
 * The load-time checks of ABI.md §6 on a parsed module. {@link #checkModule} covers what
 * depends only on the module's bytes (so its result can be cached by sha256);
 * {@link #checkForSpec} what depends on the manifest (entry points, memory limit).
 */
final class ModuleRules {
    static final String MEMORY = "memory";
    static final String ABI_VERSION = "corral_abi_version";
    private static final FunctionType NO_ARGS_I32 = FunctionType.of(List.of(), List.of(ValType.I32));
    private static final int SIMD_PREFIX = 0xFD;
    private static final int THREADS_PREFIX = 0xFE;

    private ModuleRules() {
    }

    static void checkModule(String plugin, WasmModule module) throws PluginLoadException {
        checkImports(plugin, module);
        checkFeatures(plugin, module);
        checkMemory(plugin, module);
        checkFunctionExport(plugin, module, ABI_VERSION, "the ABI version export");
    }

    static void checkForSpec(PluginSpec spec, WasmModule module) throws PluginLoadException {
        for (String entry : spec.entryPoints()) {
            checkFunctionExport(spec.name(), module, entry, "entry point");
        }
        int initial = module.memorySection().orElseThrow().getMemory(0).limits().initialPages();
        int limit = spec.limits().maxMemoryPages();
        if (initial > limit) {
            throw refuse(spec.name(), "starts with " + initial + " pages of memory, more than its limit of "
                    + limit + " pages");
        }
    }

    /**
     * The module's memory limits capped by {@code maxPages}. Chicory's {@code withMemoryLimits}
     * replaces the module's limits instead of capping them, so the cap is computed here.
     */
    static MemoryLimits memoryLimits(WasmModule module, int maxPages) {
        MemoryLimits declared = module.memorySection().orElseThrow().getMemory(0).limits();
        return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), maxPages));
    }

    private static void checkImports(String plugin, WasmModule module) throws PluginLoadException {
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            String what = imp.module() + "." + imp.name();
            if (!AbiImport.MODULE.equals(imp.module())) {
                throw refuse(plugin, "imports " + what + ", which Corral does not provide (plugins may import only from module \""
                        + AbiImport.MODULE + "\")");
            }
            if (!(imp instanceof FunctionImport f)) {
                throw refuse(plugin, "imports " + what + " as a " + imp.importType().name().toLowerCase(Locale.ROOT)
                        + "; a plugin imports only functions and defines its own memory, tables and globals");
            }
            AbiImport known = AbiImport.named(imp.name());
            if (known == null) {
                throw refuse(plugin, "imports " + what + ", which ABI version 1 does not list");
            }
            FunctionType type = module.typeSection().getType(f.typeIndex());
            if (!type.equals(known.type)) {
                throw refuse(plugin, "imports " + what + " as " + AbiImport.describe(type)
                        + ", but ABI version 1 defines it as " + AbiImport.describe(known.type));
            }
        }
    }

    private static void checkFeatures(String plugin, WasmModule module) throws PluginLoadException {
        for (FunctionType type : module.typeSection().types()) {
            if (type.params().contains(ValType.V128) || type.returns().contains(ValType.V128)) {
                throw refuse(plugin, "uses SIMD (a v128 value in type " + AbiImport.describe(type)
                        + "), which ABI version 1 does not allow");
            }
        }
        for (int g = 0; g < module.globalSection().globalCount(); g++) {
            if (module.globalSection().getGlobal(g).valueType().equals(ValType.V128)) {
                throw refuse(plugin, "uses SIMD (a v128 global), which ABI version 1 does not allow");
            }
        }
        int imported = module.importSection().count(ExternalType.FUNCTION);
        FunctionBody[] bodies = module.codeSection().functionBodies();
        for (int f = 0; f < bodies.length; f++) {
            if (bodies[f].localTypes().contains(ValType.V128)) {
                throw refuse(plugin, "uses SIMD (a v128 local in function " + (imported + f)
                        + "), which ABI version 1 does not allow");
            }
            for (Instruction ins : bodies[f].instructions()) {
                int prefix = ins.opcode().opcode() >>> 8;
                if (prefix == SIMD_PREFIX || prefix == THREADS_PREFIX) {
                    throw refuse(plugin, "uses " + (prefix == SIMD_PREFIX ? "SIMD" : "threads (atomics)")
                            + " (" + ins.opcode() + " in function " + (imported + f)
                            + "), which ABI version 1 does not allow");
                }
            }
        }
    }

    private static void checkMemory(String plugin, WasmModule module) throws PluginLoadException {
        int count = module.memorySection().map(s -> s.memoryCount()).orElse(0);
        if (count == 0) {
            throw refuse(plugin, "defines no memory; a plugin must define and export \"" + MEMORY + "\"");
        }
        if (count > 1) {
            throw refuse(plugin, "defines " + count + " memories; ABI version 1 allows one");
        }
        if (module.memorySection().orElseThrow().getMemory(0).limits().shared()) {
            throw refuse(plugin, "uses threads (a shared memory), which ABI version 1 does not allow");
        }
        Export export = findExport(module, MEMORY);
        if (export == null || export.exportType() != ExternalType.MEMORY) {
            throw refuse(plugin, "does not export its memory as \"" + MEMORY + "\"");
        }
    }

    private static void checkFunctionExport(String plugin, WasmModule module, String name, String role)
            throws PluginLoadException {
        Export export = findExport(module, name);
        if (export == null || export.exportType() != ExternalType.FUNCTION) {
            throw refuse(plugin, "does not export " + role + " '" + name + "' as a function () -> i32");
        }
        FunctionType type = functionType(module, export.index());
        if (!type.equals(NO_ARGS_I32)) {
            throw refuse(plugin, "exports " + role + " '" + name + "' as " + AbiImport.describe(type)
                    + "; it must be () -> i32");
        }
    }

    private static Export findExport(WasmModule module, String name) {
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export e = module.exportSection().getExport(i);
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static FunctionType functionType(WasmModule module, int index) {
        int seen = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            if (module.importSection().getImport(i) instanceof FunctionImport f) {
                if (seen == index) {
                    return module.typeSection().getType(f.typeIndex());
                }
                seen++;
            }
        }
        return module.functionSection().getFunctionType(index - seen, module.typeSection());
    }

    static PluginLoadException refuse(String plugin, String reason) {
        return new PluginLoadException("plugin '" + plugin + "' " + reason);
    }
}
