package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** ABI.md §7: manifest limits are clamped by the host's ceilings. */
class PluginLimitsTest {

    @Test
    void defaultsAreThoseOfTheTable() {
        PluginLimits d = PluginLimits.defaults();
        assertEquals(Duration.ofSeconds(1), d.deadline());
        assertEquals(1024, d.maxMemoryPages());
        assertEquals(64L << 20, d.maxOutputBytes());
        assertEquals(Runtime.getRuntime().availableProcessors(), d.maxInstances());
    }

    @Test
    void valuesAboveTheCeilingsAreClamped() {
        PluginLimits l = new PluginLimits(Duration.ofHours(1), 1 << 20, Long.MAX_VALUE, 1000);
        assertEquals(Duration.ofMillis(60_000), l.deadline());
        assertEquals(16_384, l.maxMemoryPages());
        assertEquals(1L << 30, l.maxOutputBytes());
        assertEquals(64, l.maxInstances());
    }

    @Test
    void valuesBelowOneAreRaisedToOne() {
        PluginLimits l = new PluginLimits(Duration.ZERO, 0, -5, 0);
        assertEquals(Duration.ofMillis(1), l.deadline());
        assertEquals(1, l.maxMemoryPages());
        assertEquals(1, l.maxOutputBytes());
        assertEquals(1, l.maxInstances());
    }
}
