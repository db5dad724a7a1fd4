package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** The WAT fixtures under {@code src/test/resources/plugins} and one shared runtime per mode. */
final class Fixtures {
    private static final Map<SandboxMode, PluginRuntime> RUNTIMES = new EnumMap<>(SandboxMode.class);

    private Fixtures() {
    }

    static synchronized PluginRuntime runtime(SandboxMode mode) {
        return RUNTIMES.computeIfAbsent(mode, PluginRuntime::new);
    }

    static byte[] wasm(String fixture) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/plugins/" + fixture + ".wasm")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture plugins/" + fixture + ".wasm");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PluginSpec spec(String fixture, PluginLimits limits, Parameters config, String... entries) {
        return new PluginSpec(fixture, wasm(fixture), null, Set.of(entries), limits, config);
    }

    static Plugin load(SandboxMode mode, String fixture, String... entries) throws PluginLoadException {
        // Clauses other than the deadline's must not fail because a loaded CI machine runs the
        // interpreter slowly: they get a deadline far beyond any fixture's honest running time.
        return load(mode, fixture, PluginLimits.defaults().withDeadline(java.time.Duration.ofSeconds(30)), entries);
    }

    static Plugin load(SandboxMode mode, String fixture, PluginLimits limits, String... entries)
            throws PluginLoadException {
        return runtime(mode).load(spec(fixture, limits, Parameters.empty(), entries));
    }

    static PluginOutput call(Plugin plugin, String entry) {
        return plugin.call(entry, Map.of(), Parameters.empty());
    }

    /** Calls {@code entry}, expects a failure of {@code kind}, and returns its message. */
    static String failure(ErrorKind kind, Plugin plugin, String entry, Map<String, Tensor> inputs) {
        ServingException e = assertThrows(ServingException.class,
                () -> plugin.call(entry, inputs, Parameters.empty()));
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("plugin '" + plugin.name() + "'"), e.getMessage());
        return e.getMessage();
    }

    static String failure(ErrorKind kind, Plugin plugin, String entry) {
        return failure(kind, plugin, entry, Map.of());
    }

    static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Tensor i32Scalar(int value) {
        return Tensor.of(DType.INT32, new long[0], le(4).putInt(0, value));
    }

    static int intOf(Tensor t) {
        assertEquals(DType.INT32, t.dtype());
        return t.data().getInt(0);
    }

    static long longOf(Tensor t) {
        assertEquals(DType.INT64, t.dtype());
        return t.data().getLong(0);
    }

    static double doubleOf(Tensor t) {
        assertEquals(DType.FLOAT64, t.dtype());
        return t.data().getDouble(0);
    }
}
