package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ABI.md §6, §7: memory grows up to the plugin's limit (or the module's own maximum, if lower)
 * and {@code memory.grow} past it returns -1 to the guest.
 */
class MemoryLimitClauseTest {

    private static Map<String, Integer> grow(SandboxMode mode, String fixture, int maxPages) throws Exception {
        try (Plugin p = Fixtures.load(mode, fixture, PluginLimits.defaults().withMaxMemoryPages(maxPages), "grow")) {
            var out = Fixtures.call(p, "grow").tensors();
            return Map.of("pages", Fixtures.intOf(out.get("pages")), "last", Fixtures.intOf(out.get("last")),
                    "huge", Fixtures.intOf(out.get("huge")));
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void growStopsAtThePluginLimitWithMinusOne(SandboxMode mode) throws Exception {
        assertEquals(Map.of("pages", 4, "last", -1, "huge", -1), grow(mode, "grow", 4));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aLowerMaximumDeclaredByTheModuleIsKept(SandboxMode mode) throws Exception {
        assertEquals(Map.of("pages", 3, "last", -1, "huge", -1), grow(mode, "grow_max3", 16));
        assertEquals(Map.of("pages", 2, "last", -1, "huge", -1), grow(mode, "grow_max3", 2));
    }
}
