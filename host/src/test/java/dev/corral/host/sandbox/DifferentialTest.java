package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.testing.TestTokenizers;
import dev.corral.host.tokenize.ModelTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ABI.md §8: the same module, inputs, config and options give bit-identical outputs (or the
 * same failure, or the same refusal at load) whether the plugin runs compiled or interpreted.
 * One case per entry point of every WAT fixture under {@code src/test/resources/plugins}
 * (hostile.wat both behaving and attacking, tokenizer.wat with and without the capability,
 * spin.wat's loops under a short deadline); a fixture refused at load (bad imports, SIMD,
 * threads, a wrong ABI version, an endless start function, too much memory) is one case whose
 * refusal message must be the same in both modes. {@link #everyFixtureEntryHasACase} keeps the
 * list complete. The built-in plugins are compared on real requests by
 * {@code serving.PipelineDifferentialTest}.
 */
class DifferentialTest {
    private static final PluginLimits LIMITS = PluginLimits.defaults().withMaxMemoryPages(64);
    /** For endless loops: both modes must stop them, and the test should not wait long for it. */
    private static final PluginLimits SHORT = LIMITS.withDeadline(Duration.ofMillis(200));
    /** hostile.wat's huge_output writes 2 MiB, twice what this allows. */
    private static final PluginLimits ONE_MIB_OUT = LIMITS.withMaxOutputBytes(1 << 20);
    /** Fixtures refused at load whatever the entry: their one case names "process". */
    private static final Set<String> REFUSED = Set.of("abi_version_2", "entry_wrong_type", "huge_memory",
            "import_memory", "import_unknown", "import_wasi", "import_wrong_signature", "no_abi_version", "no_memory_export", "simd",
            "spin_start", "threads");
    /** What a WAT fixture's entry point looks like: a function exported by name. */
    private static final Pattern ENTRY_EXPORT = Pattern.compile("\\(func (?:\\$\\S+ )?\\(export \"([^\"]+)\"\\)");
    private static final String REFUSAL = "refused at load: ";

    record Case(String fixture, String entry, Map<String, Tensor> inputs, Parameters config, Parameters options,
                PluginLimits limits, ModelTokenizer tokenizer) {
        Case(String fixture, String entry, Map<String, Tensor> inputs, Parameters config, Parameters options) {
            this(fixture, entry, inputs, config, options, LIMITS, null);
        }

        Case(String fixture, String entry, PluginLimits limits) {
            this(fixture, entry, Map.of(), Parameters.empty(), Parameters.empty(), limits, null);
        }

        /** memory_100_pages loads only where its limit allows 100 pages. */
        boolean refusedAtLoad() {
            return REFUSED.contains(fixture) || fixture.equals("memory_100_pages") && limits.maxMemoryPages() < 100;
        }

        @Override
        public String toString() {
            return fixture + "." + entry + (options.isEmpty() ? "" : " " + options)
                    + (limits == LIMITS ? "" : " " + limits) + (tokenizer == null ? "" : " with a tokenizer");
        }
    }

    static Stream<Case> cases() {
        Random random = new Random(1);
        Map<String, Tensor> mixed = new LinkedHashMap<>();
        for (DType type : DType.values()) {
            byte[] data = new byte[(int) Tensor.byteSize(type, new long[] {3, 5})];
            random.nextBytes(data);
            if (type == DType.BOOL) {
                Arrays.fill(data, (byte) 1);
            }
            mixed.put(type.label(), Tensor.of(type, new long[] {3, 5}, data));
        }
        Map<String, Tensor> one = Map.of("b", Tensor.of(DType.UINT8, new long[] {16}, new byte[16]));
        Parameters config = Parameters.of(Map.of("n", 7, "x", 1.5, "s", "héllo", "v", List.of(1, 2, 3)));
        Parameters options = Parameters.of(Map.of("n", 9, "x", -0.0, "s", "ab", "v", List.of(4.5)));
        Parameters none = Parameters.empty();
        Parameters attack = Parameters.of(Map.of("attack", 1));
        Stream.Builder<Case> cases = Stream.builder();
        for (String entry : List.of("process", "find", "tail")) {
            cases.add(new Case("echo", entry, mixed, none, none));
        }
        cases.add(new Case("params", "process", Map.of(), config, options));
        cases.add(new Case("params", "process", Map.of(), none, Parameters.of(Map.of("n", "abc"))));
        for (String entry : List.of("fail_plugin", "fail_input", "fail_option", "return_7", "error_then_ok",
                "last_error_wins", "bad_code", "long_error", "output_then_fail", "log_flood")) {
            cases.add(new Case("errors", entry, Map.of(), none, none));
        }
        for (String entry : List.of("valid", "lying_length", "dims_dtype_mismatch", "huge_length", "negative_dim",
                "repeated_name", "unknown_dtype", "rank_9", "empty_name", "invalid_utf8_name", "invalid_json",
                "json_array", "json_trailing", "two_json", "thousand_bytes")) {
            cases.add(new Case("outputs", entry, Map.of(), none, none));
        }
        for (String entry : List.of("pointer_out_of_range", "pointer_plus_length_past_end", "negative_length",
                "index_out_of_range", "negative_index", "axis_out_of_range", "negative_offset", "destination_past_end")) {
            cases.add(new Case("bounds", entry, one, none, none));
        }
        for (String entry : List.of("ok", "unreachable", "divide_by_zero", "out_of_bounds", "recurse")) {
            cases.add(new Case("trap", entry, Map.of(), none, none));
        }
        cases.add(new Case("grow", "grow", Map.of(), none, none));
        cases.add(new Case("grow_max3", "grow", Map.of(), none, none));
        cases.add(new Case("spin", "ok", Map.of(), none, none));
        for (String entry : List.of("loop_br", "loop_br_if", "loop_br_table")) {
            cases.add(new Case("spin", entry, SHORT));
        }
        for (String entry : List.of("trap", "spin", "grow_bomb", "bad_pointer", "lying_length", "deep_recursion",
                "huge_output", "endless_output", "trap_mid_output", "garbage_arguments")) {
            cases.add(new Case("hostile", entry, Map.of(), none, none, ONE_MIB_OUT, null));
            cases.add(new Case("hostile", entry, Map.of(), none, attack,
                    entry.equals("spin") ? ONE_MIB_OUT.withDeadline(SHORT.deadline()) : ONE_MIB_OUT, null));
        }
        for (String entry : List.of("encode", "encode_short", "decode", "lookup", "bad_flags", "bad_id", "bad_utf8",
                "vocab_size")) {
            cases.add(new Case("tokenizer", entry, Map.of(), none, none, LIMITS, TestTokenizers.stories()));
            cases.add(new Case("tokenizer", entry, Map.of(), none, none));
        }
        cases.add(new Case("memory_100_pages", "process", LIMITS));
        cases.add(new Case("memory_100_pages", "process", PluginLimits.defaults()));
        for (String fixture : new TreeSet<>(REFUSED)) {
            cases.add(new Case(fixture, "process", fixture.equals("spin_start") ? SHORT : LIMITS));
        }
        return cases.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void compiledAndInterpretedAgree(Case c) throws IOException {
        String interpreted = outcome(SandboxMode.INTERPRETED, c);
        assertEquals(interpreted, outcome(SandboxMode.COMPILED, c));
        assertEquals(c.refusedAtLoad(), interpreted.startsWith(REFUSAL), interpreted);
    }

    @Test
    void everyFixtureEntryHasACase() throws Exception {
        Map<String, Set<String>> covered = new TreeMap<>();
        cases().forEach(c -> covered.computeIfAbsent(c.fixture(), k -> new TreeSet<>()).add(c.entry()));
        Map<String, Set<String>> exported = new TreeMap<>();
        Path folder = Path.of(DifferentialTest.class.getResource("/plugins/echo.wat").toURI()).getParent();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path wat : files.filter(f -> f.toString().endsWith(".wat")).toList()) {
                String fixture = wat.getFileName().toString().replace(".wat", "");
                Set<String> entries = new TreeSet<>();
                Matcher m = ENTRY_EXPORT.matcher(Files.readString(wat));
                while (m.find()) {
                    entries.add(m.group(1));
                }
                entries.remove(ModuleRules.ABI_VERSION);
                exported.put(fixture, REFUSED.contains(fixture) ? Set.of("process") : entries);
            }
        }
        assertEquals(exported, covered);
    }

    /** The call's outputs as bytes (names, dtypes, shapes, data, JSON), its failure, or the load's refusal. */
    private static String outcome(SandboxMode mode, Case c) throws IOException {
        PluginSpec spec = new PluginSpec(c.fixture(), Fixtures.wasm(c.fixture()), null, Set.of(c.entry()), c.limits(),
                c.config(), c.tokenizer());
        try (Plugin plugin = Fixtures.runtime(mode).load(spec)) {
            try {
                return HexOf.output(plugin.call(c.entry(), c.inputs(), c.options()));
            } catch (ServingException e) {
                // A trap's wording is Chicory's and may differ between its two engines.
                return e.kind() + (e.getMessage().contains(" trapped ") ? "" : ": " + e.getMessage());
            }
        } catch (PluginLoadException e) {
            return REFUSAL + e.getMessage();
        }
    }

    private static final class HexOf {
        static String output(PluginOutput out) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream data = new DataOutputStream(bytes);
            for (var e : out.tensors().entrySet()) {
                data.writeUTF(e.getKey());
                data.writeInt(e.getValue().dtype().code());
                for (long d : e.getValue().shape()) {
                    data.writeLong(d);
                }
                data.write(e.getValue().bytes());
            }
            data.writeUTF(String.valueOf(out.json()));
            return HexFormat.of().formatHex(bytes.toByteArray());
        }
    }
}
