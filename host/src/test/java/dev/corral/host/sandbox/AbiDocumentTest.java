package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.host.testing.AbiDocument;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ABI.md §10: the import tables of plugin-sdk/ABI.md §4 and the imports the host binds are the
 * same set, with the same signatures — a host that provides an undocumented import, or a page
 * that documents one the host lacks or types differently, fails here.
 */
class AbiDocumentTest {

    @Test
    void theHostProvidesExactlyTheDocumentedImports() {
        Map<String, String> provided = new LinkedHashMap<>();
        for (AbiImport i : AbiImport.values()) {
            provided.put(i.importName, AbiImport.describe(i.type));
        }
        Map<String, String> documented = AbiDocument.imports();
        assertEquals(24, documented.size(), "ABI.md §4 lists " + documented.keySet());
        assertEquals(new java.util.TreeMap<>(documented), new java.util.TreeMap<>(provided));
    }
}
