package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §4.3: config (trusted) and options (untrusted), read with separate imports. */
class ParametersClauseTest {
    private static final Parameters CONFIG = Parameters.of(Map.of(
            "n", 7, "x", 1.5, "s", "héllo world", "v", List.of(1, 2.5, 3)));

    private static Plugin load(SandboxMode mode, Parameters config) throws PluginLoadException {
        return Fixtures.runtime(mode).load(Fixtures.spec("params", PluginLimits.defaults(), config, "process"));
    }

    private static double[] doubles(Tensor t) {
        double[] d = new double[(int) t.elementCount()];
        t.data().asDoubleBuffer().get(d);
        return d;
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void configAndOptionsAreSeparateNamespaces(SandboxMode mode) throws Exception {
        Parameters options = Parameters.of(Map.of("n", 9, "x", 2, "s", "ab", "v", List.of()));
        try (Plugin plugin = load(mode, CONFIG)) {
            Map<String, Tensor> out = plugin.call("process", Map.of(), options).tensors();

            assertEquals(7, Fixtures.longOf(out.get("config_n")));
            assertEquals(9, Fixtures.longOf(out.get("option_n")));
            assertEquals(1.5, Fixtures.doubleOf(out.get("config_x")));
            assertEquals(2.0, Fixtures.doubleOf(out.get("option_x")), "an integer reads as a number");
            assertEquals(12, Fixtures.intOf(out.get("config_s_len")), "UTF-8 byte length, not chars");
            assertArrayEquals(Arrays.copyOf("héllo world".getBytes(StandardCharsets.UTF_8), 5),
                    out.get("config_s").bytes(), "copies min(len, cap) bytes");
            assertEquals(2, Fixtures.intOf(out.get("option_s_len")));
            assertArrayEquals(new byte[] {'a', 'b', 0, 0, 0}, out.get("option_s").bytes());
            assertEquals(3, Fixtures.intOf(out.get("config_v_len")));
            assertArrayEquals(new double[] {1, 2.5}, doubles(out.get("config_v")), "copies min(count, cap)");
            assertEquals(0, Fixtures.intOf(out.get("option_v_len")));
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void absentValuesGiveTheDefaultOrMinusOne(SandboxMode mode) throws Exception {
        try (Plugin plugin = load(mode, Parameters.empty())) {
            Map<String, Tensor> out = plugin.call("process", Map.of(), Parameters.empty()).tensors();

            assertEquals(-1, Fixtures.longOf(out.get("config_n")));
            assertEquals(-2, Fixtures.longOf(out.get("option_n")));
            assertEquals(0.5, Fixtures.doubleOf(out.get("config_x")));
            assertEquals(0.25, Fixtures.doubleOf(out.get("option_x")));
            assertEquals(-1, Fixtures.intOf(out.get("config_s_len")));
            assertEquals(-1, Fixtures.intOf(out.get("option_s_len")));
            assertEquals(-1, Fixtures.intOf(out.get("config_v_len")));
            assertEquals(-1, Fixtures.intOf(out.get("option_v_len")));
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void integralNumbersAndBooleansReadAsIntegers(SandboxMode mode) throws Exception {
        try (Plugin plugin = load(mode, Parameters.of(Map.of("n", true)))) {
            Map<String, Tensor> out = plugin.call("process", Map.of(), Parameters.of(Map.of("n", 3.0))).tensors();
            assertEquals(1, Fixtures.longOf(out.get("config_n")));
            assertEquals(3, Fixtures.longOf(out.get("option_n")));
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anOptionOfTheWrongTypeIsTheClientsInvalidOption(SandboxMode mode) throws Exception {
        try (Plugin plugin = load(mode, Parameters.empty())) {
            for (Object bad : List.of("abc", 2.5, List.of(1.0))) {
                ServingException e = assertThrows(ServingException.class,
                        () -> plugin.call("process", Map.of(), Parameters.of(Map.of("n", bad))));
                assertEquals(ErrorKind.INVALID_OPTION, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains("option 'n'"), e.getMessage());
            }
            ServingException e = assertThrows(ServingException.class,
                    () -> plugin.call("process", Map.of(), Parameters.of(Map.of("s", 5))));
            assertTrue(e.getMessage().contains("option 's' is the integer 5"), e.getMessage());
            assertEquals(1, Fixtures.longOf(plugin.call("process", Map.of(), Parameters.of(Map.of("n", 1)))
                    .tensors().get("option_n")), "the plugin still serves good calls");
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aConfigValueOfTheWrongTypeIsThePluginsFailure(SandboxMode mode) throws Exception {
        try (Plugin plugin = load(mode, Parameters.of(Map.of("n", "abc")))) {
            String message = Fixtures.failure(ErrorKind.PLUGIN_FAILED, plugin, "process");
            assertTrue(message.contains("config value 'n' is the string \"abc\""), message);
        }
    }

    @Test
    void parametersNormaliseNumbersAndRefuseOtherTypes() {
        Parameters p = Parameters.of(Map.of("i", 3, "f", 1.5f, "l", List.of(1, 2)));
        assertEquals(3L, p.get("i"));
        assertEquals(1.5, p.get("f"));
        assertEquals(List.of(1.0, 2.0), p.get("l"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parameters.of(Map.of("m", Map.of())));
        assertTrue(e.getMessage().contains("'m'"), e.getMessage());
    }
}
