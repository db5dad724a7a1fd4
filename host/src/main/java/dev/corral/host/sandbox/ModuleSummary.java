package dev.corral.host.sandbox;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a module declares, as Chicory's parser reads it: for a plugin author's report
 * ({@code corral plugin check}), not a verdict — whether the host accepts the module is
 * {@link PluginRuntime#load}'s answer alone.
 *
 * @param imports       every import, in order
 * @param exports       every export, in order
 * @param memoryPages   the first memory's initial pages, or -1 when the module defines none
 * @param maxMemoryPages its declared maximum, or -1 when unbounded or absent
 * @param startFunction whether the module has a start function (ABI.md §2)
 */
public record ModuleSummary(List<ImportEntry> imports, List<ExportEntry> exports, int memoryPages,
                            int maxMemoryPages, boolean startFunction) {

    /** One import; {@code provided} when module {@code corral} lists it with this exact signature. */
    public record ImportEntry(String module, String name, String signature, boolean provided) {
    }

    /** One export; {@code signature} is null for anything but a function. */
    public record ExportEntry(String name, String kind, String signature) {
        /** Whether a manifest could name it as an entry point: a function {@code () -> i32}. */
        public boolean callable() {
            return "() -> i32".equals(signature);
        }
    }

    /**
     * @param name names the module in the message of a parse failure
     * @throws PluginLoadException when the bytes are not a WebAssembly module Chicory can parse
     */
    public static ModuleSummary of(String name, byte[] wasm) throws PluginLoadException {
        WasmModule module;
        try {
            module = Parser.parse(wasm);
        } catch (RuntimeException e) {
            throw ModuleRules.refuse(name, "is not a valid WebAssembly module: " + e.getMessage());
        }
        List<ImportEntry> imports = new ArrayList<>();
        List<FunctionType> importedFunctions = new ArrayList<>();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            String signature = imp.importType().name().toLowerCase(Locale.ROOT);
            boolean provided = false;
            if (imp instanceof FunctionImport f) {
                FunctionType type = module.typeSection().getType(f.typeIndex());
                importedFunctions.add(type);
                signature = AbiImport.describe(type);
                AbiImport known = AbiImport.named(imp.name());
                provided = AbiImport.MODULE.equals(imp.module()) && known != null && known.type.equals(type);
            }
            imports.add(new ImportEntry(imp.module(), imp.name(), signature, provided));
        }
        List<ExportEntry> exports = new ArrayList<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export e = module.exportSection().getExport(i);
            String signature = null;
            if (e.exportType() == ExternalType.FUNCTION) {
                int local = e.index() - importedFunctions.size();
                signature = AbiImport.describe(local < 0 ? importedFunctions.get(e.index())
                        : module.functionSection().getFunctionType(local, module.typeSection()));
            }
            exports.add(new ExportEntry(e.name(), e.exportType().name().toLowerCase(Locale.ROOT), signature));
        }
        MemoryLimits memory = module.memorySection().filter(s -> s.memoryCount() > 0)
                .map(s -> s.getMemory(0).limits()).orElse(null);
        int max = memory == null || memory.maximumPages() >= MemoryLimits.MAX_PAGES ? -1 : memory.maximumPages();
        return new ModuleSummary(List.copyOf(imports), List.copyOf(exports), memory == null ? -1 : memory.initialPages(),
                max, module.startSection().isPresent());
    }
}
