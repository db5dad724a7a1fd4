package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §6 "At load": each refusal, with a message naming the plugin and the reason. */
class LoadRefusalTest {

    private static String refusal(SandboxMode mode, PluginSpec spec) {
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> Fixtures.runtime(mode).load(spec));
        assertTrue(e.getMessage().startsWith("plugin '" + spec.name() + "' "), e.getMessage());
        return e.getMessage();
    }

    private static String refusal(SandboxMode mode, String fixture, PluginLimits limits) {
        return refusal(mode, Fixtures.spec(fixture, limits, Parameters.empty(), "process"));
    }

    private static String refusal(SandboxMode mode, String fixture) {
        return refusal(mode, fixture, PluginLimits.defaults());
    }

    private static void assertContains(String expected, String message) {
        assertTrue(message.contains(expected), message);
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anImportFromAnotherModuleIsRefusedByName(SandboxMode mode) {
        assertEquals("plugin 'import_wasi' imports wasi_snapshot_preview1.fd_write, which Corral does not provide"
                + " (plugins may import only from module \"corral\")", refusal(mode, "import_wasi"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aCorralImportTheAbiDoesNotListIsRefused(SandboxMode mode) {
        assertContains("imports corral.open_file, which ABI version 1 does not list", refusal(mode, "import_unknown"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anImportedMemoryIsRefused(SandboxMode mode) {
        assertContains("imports corral.input_count as a memory; a plugin imports only functions and defines its own"
                + " memory, tables and globals", refusal(mode, "import_memory"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anImportWithAnotherSignatureIsRefused(SandboxMode mode) {
        assertContains("imports corral.input_count as (i32) -> i64, but ABI version 1 defines it as () -> i32",
                refusal(mode, "import_wrong_signature"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aModuleWithoutExportedMemoryIsRefused(SandboxMode mode) {
        assertContains("does not export its memory as \"memory\"", refusal(mode, "no_memory_export"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aModuleWithoutAbiVersionIsRefused(SandboxMode mode) {
        assertContains("does not export the ABI version export 'corral_abi_version'", refusal(mode, "no_abi_version"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anotherAbiVersionIsRefusedNamingBoth(SandboxMode mode) {
        assertContains("declares ABI version 2", refusal(mode, "abi_version_2"));
        assertContains("this host serves version 1", refusal(mode, "abi_version_2"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aMissingOrMistypedEntryPointIsRefused(SandboxMode mode) {
        assertContains("does not export entry point 'nope'",
                refusal(mode, Fixtures.spec("echo", PluginLimits.defaults(), Parameters.empty(), "nope")));
        assertContains("exports entry point 'process' as (i32) -> i32; it must be () -> i32",
                refusal(mode, "entry_wrong_type"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anInitialMemoryAboveTheLimitIsRefusedNamingBoth(SandboxMode mode) {
        assertContains("starts with 100 pages of memory, more than its limit of 64 pages",
                refusal(mode, "memory_100_pages", PluginLimits.defaults().withMaxMemoryPages(64)));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void simdIsRefused(SandboxMode mode) {
        assertContains("uses SIMD", refusal(mode, "simd"));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void sharedMemoryIsRefused(SandboxMode mode) {
        // wat2wasm 1.0.32 needs --enable-threads for this, so the module is spelled out:
        // header, memory section {shared, min 1, max 1}, export section {"memory" -> memory 0}.
        byte[] wasm = HexFormat.of().parseHex("0061736d01000000" + "050401030101" + "070a01066d656d6f72790200");
        String message = refusal(mode, new PluginSpec("shared", wasm, null, Set.of(), null, null));
        assertContains("uses threads (a shared memory)", message);
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void bytesThatAreNotWebAssemblyAreRefused(SandboxMode mode) {
        byte[] wasm = "not a module".getBytes();
        assertContains("is not a valid WebAssembly module",
                refusal(mode, new PluginSpec("junk", wasm, null, Set.of(), null, null)));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aModuleOverTheSizeLimitIsRefusedBeforeParsing(SandboxMode mode) {
        byte[] wasm = new byte[PluginLimits.MAX_MODULE_BYTES + 1];
        assertContains("more than the module size limit",
                refusal(mode, new PluginSpec("huge", wasm, null, Set.of(), null, null)));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aShaThatDiffersFromThePinIsRefused(SandboxMode mode) throws Exception {
        byte[] wasm = Fixtures.wasm("echo");
        String pinned = "00".repeat(32);
        assertContains("but the manifest pins " + pinned,
                refusal(mode, new PluginSpec("echo", wasm, pinned, Set.of("process"), null, null)));
        String actual = PluginRuntime.sha256(wasm);
        try (Plugin p = Fixtures.runtime(mode).load(
                new PluginSpec("echo", wasm, actual.toUpperCase(), Set.of("process"), null, null))) {
            assertEquals(actual, p.sha256());
        }
    }
}
