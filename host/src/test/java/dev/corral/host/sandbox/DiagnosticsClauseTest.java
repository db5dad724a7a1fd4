package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §4.4 ({@code set_error}, {@code log}) and §5 (what a return value means). */
class DiagnosticsClauseTest {
    private static final String ENTRIES[] = {"fail_plugin", "fail_input", "fail_option", "return_7",
        "error_then_ok", "last_error_wins", "bad_code", "long_error", "output_then_fail", "log_flood"};

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void setErrorCodesGiveTheirKindsAndMessages(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "errors", ENTRIES)) {
            assertTrue(Fixtures.failure(ErrorKind.PLUGIN_FAILED, p, "fail_plugin").endsWith(": boom"));
            assertTrue(Fixtures.failure(ErrorKind.INVALID_INPUT, p, "fail_input").endsWith(": bad input"));
            assertTrue(Fixtures.failure(ErrorKind.INVALID_OPTION, p, "fail_option").endsWith(": bad option"));
            assertEquals(0, p.stats().instancesDiscarded(), "a plugin that returns normally keeps its instance");
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aNonZeroReturnWithoutSetErrorIsPluginFailed(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "errors", ENTRIES)) {
            String message = Fixtures.failure(ErrorKind.PLUGIN_FAILED, p, "return_7");
            assertTrue(message.contains("entry point returned 7"), message);
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void theLastSetErrorCountsAndOnlyOnFailure(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "errors", ENTRIES)) {
            Fixtures.failure(ErrorKind.INVALID_OPTION, p, "last_error_wins");
            assertNull(Fixtures.call(p, "error_then_ok").json(), "return 0 succeeds despite set_error");
            assertTrue(Fixtures.call(p, "error_then_ok").tensors().isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aSetErrorMessageIsCutAt1KiB(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "errors", ENTRIES)) {
            String message = Fixtures.failure(ErrorKind.PLUGIN_FAILED, p, "long_error");
            assertTrue(message.endsWith(": " + "x".repeat(1024)), message);
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void anUnknownSetErrorCodeIsAnAbiViolation(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "errors", ENTRIES)) {
            Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "bad_code");
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void outputsOfAFailedCallAreDiscarded(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "errors", ENTRIES)) {
            Fixtures.failure(ErrorKind.PLUGIN_FAILED, p, "output_then_fail");
            assertTrue(Fixtures.call(p, "error_then_ok").tensors().isEmpty(), "nothing leaks into the next call");
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void logIsPrefixedWithThePluginAndLimitedTo64LinesACall(SandboxMode mode) throws Exception {
        Logger logger = Logger.getLogger("dev.corral.plugin.errors");
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (Plugin p = Fixtures.load(mode, "errors", ENTRIES)) {
            Fixtures.call(p, "log_flood");
            Fixtures.call(p, "log_flood");
        } finally {
            logger.removeHandler(handler);
        }
        long lines = records.stream().filter(r -> r.getMessage().equals("plugin 'errors': boom")).count();
        long drops = records.stream().filter(r -> r.getLevel() == Level.WARNING
                && r.getMessage().contains("dropped 36 log lines")).count();
        assertEquals(128, lines, "64 lines a call, the budget renewed each call");
        assertEquals(2, drops);
    }
}
