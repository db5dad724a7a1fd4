package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ABI.md §7: the deadline interrupts the calling thread and every loop ends, whichever branch
 * closes it; §2: a start function runs under the same deadline.
 */
class DeadlineClauseTest {
    private static final PluginLimits SHORT = PluginLimits.defaults().withDeadline(Duration.ofMillis(200));
    private static final String[] ENTRIES = {"ok", "loop_br", "loop_br_if", "loop_br_table"};

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void everyEndlessLoopEndsAtTheDeadlineAndTheNextCallSucceeds(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "spin", SHORT, ENTRIES)) {
            for (String loop : new String[] {"loop_br", "loop_br_if", "loop_br_table"}) {
                String message = Fixtures.failure(ErrorKind.PLUGIN_DEADLINE_EXCEEDED, p, loop);
                assertTrue(message.contains("deadline of 200 ms"), message);
                assertFalse(Thread.currentThread().isInterrupted(), "the interrupt does not leak to the caller");
                assertTrue(Fixtures.call(p, "ok").tensors().isEmpty());
            }
            assertEquals(3, p.stats().instancesDiscarded());
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void theDeadlineAlsoStopsACallOnAVirtualThread(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "spin", SHORT, ENTRIES)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    Fixtures.call(p, "loop_br_if");
                } catch (Throwable e) {
                    thrown.set(e);
                }
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            assertTrue(t.join(Duration.ofSeconds(30)), "the call ended");
            assertEquals(ErrorKind.PLUGIN_DEADLINE_EXCEEDED, ((ServingException) thrown.get()).kind());
            assertFalse(interruptedAfter.get());
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anEndlessStartFunctionEndsAtTheDeadlineAndRefusesTheLoad(SandboxMode mode) {
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> Fixtures.load(mode, "spin_start", SHORT, "process"));
        assertTrue(e.getMessage().contains("ran past its deadline of 200 ms while instantiating"), e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
