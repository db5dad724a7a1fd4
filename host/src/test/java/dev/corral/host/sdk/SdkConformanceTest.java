package dev.corral.host.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.sandbox.ModuleSummary;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.Plugin;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginRuntime;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.AbiDocument;
import dev.corral.host.testing.Images;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ABI.md §10: the conformance clauses every SDK's example plugin must pass, one test per
 * clause, run on the C, AssemblyScript and Rust examples as their build.sh builds them. A
 * plugin author's own plugin is held to the same clauses; these are the ones an
 * imagenet-preprocess-shaped plugin can show.
 */
class SdkConformanceTest {
    private static final ImageDecoder DECODER = new ImageDecoder(40_000_000);
    /** The default limits; the deadline alone is raised, so a loaded CI machine cannot fail a clause on time. */
    private static final PluginLimits LIMITS = PluginLimits.defaults().withDeadline(Duration.ofSeconds(60));
    private static final String ENTRY = SdkExample.ENTRY;

    private static PluginRuntime compiled;
    private static PluginRuntime interpreted;
    private static Tensor chelsea;
    private static Tensor small;

    @BeforeAll
    static void load() {
        compiled = new PluginRuntime(SandboxMode.COMPILED);
        interpreted = new PluginRuntime(SandboxMode.INTERPRETED);
        chelsea = DECODER.decode(Images.read("chelsea.png"), "chelsea.png");
        small = DECODER.decode(Images.encoded("png", 97, 13), "97x13");
    }

    @AfterAll
    static void close() {
        compiled.close();
        interpreted.close();
    }

    /** §2, §9: memory, corral_abi_version and the entry point are exported, the functions as () -> i32. */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void exportsMemoryTheAbiVersionAndItsEntryPoint(SdkExample sdk) throws Exception {
        Map<String, ModuleSummary.ExportEntry> exports = new LinkedHashMap<>();
        for (ModuleSummary.ExportEntry e : ModuleSummary.of(sdk.name(), sdk.wasm()).exports()) {
            exports.put(e.name(), e);
        }
        assertEquals("memory", exports.get("memory").kind(), sdk + " exports " + exports.keySet());
        assertEquals("() -> i32", exports.get("corral_abi_version").signature());
        assertEquals("() -> i32", exports.get(ENTRY).signature());
        // The host calls corral_abi_version at load and refuses anything but 1.
        try (Plugin plugin = load(compiled, sdk, Parameters.empty(), LIMITS)) {
            assertEquals(0, plugin.stats().instancesDiscarded());
        }
    }

    /**
     * §4, §6: every import is a function of module corral that ABI.md lists, with the signature
     * ABI.md gives; the initial memory fits the default limit; the module loads in both modes.
     */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void importsOnlyWhatAbiMdListsAndLoadsUnderTheDefaultLimits(SdkExample sdk) throws Exception {
        Map<String, String> documented = AbiDocument.imports();
        ModuleSummary summary = ModuleSummary.of(sdk.name(), sdk.wasm());
        assertTrue(summary.imports().size() >= 3, sdk + " imports " + summary.imports());
        for (ModuleSummary.ImportEntry i : summary.imports()) {
            assertEquals("corral", i.module(), sdk + " imports " + i);
            assertEquals(documented.get(i.name()), i.signature(), sdk + " imports " + i + "; ABI.md lists " + documented.keySet());
        }
        assertTrue(summary.memoryPages() >= 1 && summary.memoryPages() <= PluginLimits.defaults().maxMemoryPages(),
                sdk + " starts with " + summary.memoryPages() + " pages");
        for (PluginRuntime runtime : List.of(compiled, interpreted)) {
            load(runtime, sdk, Parameters.empty(), LIMITS).close();
        }
    }

    /** §4.1: the input is found by name; other inputs, before or after it, change nothing. */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void findsItsInputByName(SdkExample sdk) throws Exception {
        Tensor other = Tensor.of(DType.FLOAT32, new long[] {2, 2, 3}, new byte[48]);
        Map<String, Tensor> crowded = new LinkedHashMap<>();
        crowded.put("aaa", other);
        crowded.put("image", small);
        crowded.put("zzz", other);
        try (Plugin plugin = load(compiled, sdk, Parameters.empty(), LIMITS)) {
            Tensor alone = plugin.call(ENTRY, Map.of("image", small), Parameters.empty()).tensors().get("input");
            Tensor amongOthers = plugin.call(ENTRY, crowded, Parameters.empty()).tensors().get("input");
            assertArrayEquals(alone.bytes(), amongOthers.bytes(), sdk.toString());
        }
    }

    /** §4.2: exactly one output, named by config, float32 [1,3,crop,crop], its bytes agreeing with its shape. */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void writesOneOutputWhoseShapeAndBytesAgree(SdkExample sdk) throws Exception {
        Parameters config = Parameters.of(Map.of("resize", 40L, "crop", 32L, "output_name", "pixels"));
        try (Plugin plugin = load(compiled, sdk, config, LIMITS)) {
            var out = plugin.call(ENTRY, Map.of("image", chelsea), Parameters.empty());
            assertEquals(Set.of("pixels"), out.tensors().keySet(), sdk.toString());
            Tensor pixels = out.tensors().get("pixels");
            assertEquals(DType.FLOAT32, pixels.dtype());
            assertArrayEquals(new long[] {1, 3, 32, 32}, pixels.shape());
            assertEquals(3 * 32 * 32 * 4, pixels.bytes().length);
            assertEquals(null, out.json(), sdk + " writes no JSON result");
        }
    }

    /** §4.3: a config value of the wrong type fails the call as the plugin's failure, naming the key. */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void configOfTheWrongTypeIsThePluginsFailure(SdkExample sdk) throws Exception {
        for (Map<String, Object> values : List.<Map<String, Object>>of(Map.of("resize", "big"), Map.of("crop", 1.5))) {
            try (Plugin plugin = load(compiled, sdk, Parameters.of(values), LIMITS)) {
                ServingException e = refusal(plugin, Map.of("image", small));
                assertEquals(ErrorKind.PLUGIN_FAILED, e.kind(), sdk + " " + values + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(values.keySet().iterator().next()), e.getMessage());
            }
        }
    }

    /**
     * §5.2: a missing, mistyped or misshapen input is refused with code 2 (422 invalid_input) and
     * a message naming the input; bad config with code 1 naming the key — by set_error and a
     * non-zero return, never a trap: the instance survives every refusal.
     */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void refusesBadInputAndConfigWithoutTrapping(SdkExample sdk) throws Exception {
        List<Map<String, Tensor>> badInputs = List.of(
                Map.of("picture", small),
                Map.of("image", Tensor.of(DType.FLOAT32, new long[] {2, 2, 3}, new byte[48])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {2, 2, 4}, new byte[16])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {4, 3}, new byte[12])),
                Map.of("image", Tensor.of(DType.UINT8, new long[] {0, 5, 3}, new byte[0])));
        try (Plugin plugin = load(compiled, sdk, Parameters.empty(), LIMITS.withMaxInstances(1))) {
            for (Map<String, Tensor> inputs : badInputs) {
                ServingException e = refusal(plugin, inputs);
                assertEquals(ErrorKind.INVALID_INPUT, e.kind(), sdk + " " + inputs + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("'image'"), e.getMessage());
            }
            assertEquals(0, plugin.stats().instancesDiscarded(), sdk + " trapped on bad input");
            assertEquals(1, plugin.stats().instancesCreated());
        }
        for (Map<String, Object> values : List.<Map<String, Object>>of(
                Map.of("resize", 0L), Map.of("crop", 300L), Map.of("std", List.of(0.2, 0.0, 0.2)), Map.of("mean", List.of(0.5)))) {
            try (Plugin plugin = load(compiled, sdk, Parameters.of(values), LIMITS)) {
                ServingException e = refusal(plugin, Map.of("image", small));
                assertEquals(ErrorKind.PLUGIN_FAILED, e.kind(), sdk + " " + values + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(values.keySet().iterator().next()), e.getMessage());
                assertEquals(0, plugin.stats().instancesDiscarded(), sdk + " trapped on config " + values);
            }
        }
    }

    /**
     * §5, §5.1: nothing a call leaves in memory shows in a later result — the same bytes on a
     * reused instance (after other images and after a refusal) as on a fresh one.
     */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void reusedAndFreshInstancesGiveTheSameBytes(SdkExample sdk) throws Exception {
        Map<String, Tensor> cat = Map.of("image", chelsea);
        byte[] fresh;
        try (Plugin plugin = load(compiled, sdk, Parameters.empty(), LIMITS)) {
            fresh = plugin.call(ENTRY, cat, Parameters.empty()).tensors().get("input").bytes();
        }
        try (Plugin plugin = load(compiled, sdk, Parameters.empty(), LIMITS.withMaxInstances(1))) {
            plugin.call(ENTRY, Map.of("image", small), Parameters.empty());
            byte[] afterOther = plugin.call(ENTRY, cat, Parameters.empty()).tensors().get("input").bytes();
            refusal(plugin, Map.of("picture", small));
            byte[] afterRefusal = plugin.call(ENTRY, cat, Parameters.empty()).tensors().get("input").bytes();
            assertArrayEquals(fresh, afterOther, sdk + ": another image changed the next result");
            assertArrayEquals(fresh, afterRefusal, sdk + ": a refusal changed the next result");
            assertEquals(1, plugin.stats().instancesCreated(), "all on one instance");
        }
    }

    /**
     * §7, §5.1: memory does not grow from call to call. Under 64 pages (4 MiB) one instance
     * serves 20 calls of 602 KB outputs, which would need 12 MiB if each call kept its memory.
     */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void memoryStaysBoundedOverManyCalls(SdkExample sdk) throws Exception {
        PluginLimits small = LIMITS.withMaxMemoryPages(64).withMaxInstances(1);
        try (Plugin plugin = load(compiled, sdk, Parameters.empty(), small)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(3 * 224 * 224 * 4, plugin.call(ENTRY, Map.of("image", chelsea), Parameters.empty())
                        .tensors().get("input").byteSize(), sdk + " call " + i);
            }
            assertEquals(0, plugin.stats().instancesDiscarded());
        }
    }

    /** §8: bit-identical output compiled and interpreted. */
    @ParameterizedTest
    @EnumSource(SdkExample.class)
    void compiledAndInterpretedGiveTheSameBytes(SdkExample sdk) throws Exception {
        // A small crop keeps the interpreter's share of the suite short; the image is a real photo.
        Parameters config = Parameters.of(Map.of("resize", 72L, "crop", 64L));
        try (Plugin c = load(compiled, sdk, config, LIMITS); Plugin i = load(interpreted, sdk, config, LIMITS)) {
            for (Tensor image : List.of(chelsea, small)) {
                Tensor a = c.call(ENTRY, Map.of("image", image), Parameters.empty()).tensors().get("input");
                Tensor b = i.call(ENTRY, Map.of("image", image), Parameters.empty()).tensors().get("input");
                assertArrayEquals(new long[] {1, 3, 64, 64}, a.shape());
                assertArrayEquals(a.bytes(), b.bytes(), sdk + " differs between the compiler and the interpreter on " + image);
            }
        }
    }

    private static ServingException refusal(Plugin plugin, Map<String, Tensor> inputs) {
        return assertThrows(ServingException.class, () -> plugin.call(ENTRY, inputs, Parameters.empty()),
                plugin.name() + " accepted " + inputs);
    }

    static Plugin load(PluginRuntime runtime, SdkExample sdk, Parameters config, PluginLimits limits) throws Exception {
        return runtime.load(new PluginSpec(SdkExample.PLUGIN_NAME, sdk.wasm(), null, Set.of(ENTRY), limits, config));
    }
}
