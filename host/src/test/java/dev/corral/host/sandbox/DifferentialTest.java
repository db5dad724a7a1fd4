package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ABI.md §8: the same module, inputs, config and options give bit-identical outputs (or the
 * same failure) whether the plugin runs compiled or interpreted. One case per fixture entry.
 */
class DifferentialTest {

    record Case(String fixture, String entry, Map<String, Tensor> inputs, Parameters config, Parameters options) {
        @Override
        public String toString() {
            return fixture + "." + entry;
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
        return cases.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void compiledAndInterpretedAgree(Case c) throws Exception {
        assertEquals(outcome(SandboxMode.INTERPRETED, c), outcome(SandboxMode.COMPILED, c));
    }

    /** The call's outputs as bytes (names, dtypes, shapes, data, JSON), or its failure. */
    private static String outcome(SandboxMode mode, Case c) throws Exception {
        PluginSpec spec = Fixtures.spec(c.fixture(), PluginLimits.defaults().withMaxMemoryPages(64), c.config(), c.entry());
        try (Plugin plugin = Fixtures.runtime(mode).load(spec)) {
            try {
                return HexOf.output(plugin.call(c.entry(), c.inputs(), c.options()));
            } catch (ServingException e) {
                // A trap's wording is Chicory's and may differ between its two engines.
                return e.kind() + (e.getMessage().contains(" trapped ") ? "" : ": " + e.getMessage());
            }
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
            return java.util.HexFormat.of().formatHex(bytes.toByteArray());
        }
    }
}
