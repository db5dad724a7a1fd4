package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §5 and §7 {@code max_instances}: calls share a bounded pool of instances. */
class InstancePoolTest {

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void concurrentCallsStayWithinMaxInstancesAndGetTheirOwnResults(SandboxMode mode) throws Exception {
        PluginLimits limits = PluginLimits.defaults().withMaxInstances(2).withDeadline(Duration.ofSeconds(30));
        try (Plugin echo = Fixtures.load(mode, "echo", limits, "process");
             ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(threads.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        byte[] data = {(byte) thread, (byte) i, 1, 2, 3};
                        Tensor in = Tensor.of(DType.UINT8, new long[] {5}, data);
                        Tensor out = echo.call("process", Map.of("x", in), Parameters.empty()).tensors().get("x");
                        assertArrayEquals(data, out.bytes());
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            PluginStats stats = echo.stats();
            assertEquals(400, stats.calls());
            assertEquals(0, stats.failures());
            assertTrue(stats.instancesCreated() <= 2, stats.toString());
            assertTrue(stats.liveInstances() <= 2, stats.toString());
            assertEquals(stats.liveInstances(), stats.idleInstances(), "all idle once the calls ended");
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void waitingForABusyInstanceEndsAtTheDeadlineWithQueueFull(SandboxMode mode) throws Exception {
        PluginLimits limits = PluginLimits.defaults().withMaxInstances(1).withDeadline(Duration.ofMillis(300));
        try (Plugin spin = Fixtures.load(mode, "spin", limits, "loop_br");
             ExecutorService threads = Executors.newFixedThreadPool(3)) {
            List<Future<ErrorKind>> calls = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                calls.add(threads.submit(() -> assertThrows(ServingException.class,
                        () -> Fixtures.call(spin, "loop_br")).kind()));
            }
            List<ErrorKind> kinds = new ArrayList<>();
            for (Future<ErrorKind> f : calls) {
                kinds.add(f.get());
            }
            assertTrue(kinds.contains(ErrorKind.QUEUE_FULL), kinds.toString());
            assertTrue(kinds.contains(ErrorKind.PLUGIN_DEADLINE_EXCEEDED), kinds.toString());
            assertTrue(spin.stats().liveInstances() <= 1);
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aClosedPluginRefusesCalls(SandboxMode mode) throws Exception {
        Plugin echo = Fixtures.load(mode, "echo", "process");
        echo.close();
        assertEquals(ErrorKind.MODEL_NOT_READY,
                assertThrows(ServingException.class, () -> Fixtures.call(echo, "process")).kind());
        assertEquals(0, echo.stats().liveInstances());
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anEntryPointOutsideTheSpecIsAProgrammingError(SandboxMode mode) throws Exception {
        try (Plugin echo = Fixtures.load(mode, "echo", "process")) {
            assertThrows(IllegalArgumentException.class, () -> Fixtures.call(echo, "find"));
        }
    }
}
