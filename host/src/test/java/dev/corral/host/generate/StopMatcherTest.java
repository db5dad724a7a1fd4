package dev.corral.host.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
    @Test
    void textWithoutStopsPassesThroughAtOnce() {
        StopMatcher m = new StopMatcher(List.of());
        assertEquals("Once", m.accept("Once"));
        assertEquals(" upon", m.accept(" upon"));
        assertEquals("", m.flush());
        assertFalse(m.stopped());
    }

    @Test
    void aStopStringSplitAcrossPiecesIsHeldBackThenCut() {
        StopMatcher m = new StopMatcher(List.of("Lily."));
        assertEquals(" named ", m.accept(" named Li"), "a possible start of the stop string waits");
        assertEquals("", m.accept("ly"));
        assertEquals("", m.accept(". She"));
        assertTrue(m.stopped());
        assertEquals("", m.accept(" more"), "nothing after the stop");
    }

    @Test
    void aFalseStartIsReleasedWithTheNextPiece() {
        StopMatcher m = new StopMatcher(List.of("Lily."));
        assertEquals("a ", m.accept("a Li"));
        assertEquals("Lion", m.accept("on"));
        assertEquals("", m.accept("Lil"));
        assertEquals("Lil", m.flush(), "the end of the generation releases what was held");
        assertFalse(m.stopped());
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        StopMatcher m = new StopMatcher(List.of("park", "."));
        assertEquals("She played", m.accept("She played. In the park"));
        assertTrue(m.stopped());
    }
}
