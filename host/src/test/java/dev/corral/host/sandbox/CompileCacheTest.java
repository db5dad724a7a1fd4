package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A module is parsed and compiled once per sha256 while plugins use it, then dropped. */
class CompileCacheTest {

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void pluginsOfTheSameModuleShareOneCacheEntry(SandboxMode mode) throws Exception {
        try (PluginRuntime runtime = new PluginRuntime(mode)) {
            PluginSpec spec = Fixtures.spec("echo", PluginLimits.defaults(), Parameters.empty(), "process");
            Plugin first = runtime.load(spec);
            Plugin second = runtime.load(spec);
            Plugin other = runtime.load(Fixtures.spec("trap", PluginLimits.defaults(), Parameters.empty(), "ok"));
            assertEquals(2, runtime.cachedModules());
            first.close();
            assertEquals(2, runtime.cachedModules());
            second.close();
            second.close();
            assertEquals(1, runtime.cachedModules());
            other.close();
            assertEquals(0, runtime.cachedModules());
        }
    }
}
