package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.host.error.ErrorKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §5.4 and §6: a trap fails the call, the instance is discarded, the plugin goes on serving. */
class TrapClauseTest {
    private static final String[] TRAPS = {"unreachable", "divide_by_zero", "out_of_bounds", "recurse"};

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void everyTrapIsPluginFailedAndTheNextCallSucceeds(SandboxMode mode) throws Exception {
        String[] entries = {"ok", "unreachable", "divide_by_zero", "out_of_bounds", "recurse"};
        try (Plugin p = Fixtures.load(mode, "trap", entries)) {
            for (String trap : TRAPS) {
                Fixtures.failure(ErrorKind.PLUGIN_FAILED, p, trap);
                assertEquals("{\"ok\":true}", Fixtures.call(p, "ok").json(), "after " + trap);
            }
            PluginStats stats = p.stats();
            assertEquals(TRAPS.length, stats.instancesDiscarded());
            assertEquals(1 + TRAPS.length, stats.instancesCreated());
            assertEquals(1, stats.liveInstances());
            assertEquals(TRAPS.length, stats.failures());
        }
    }
}
