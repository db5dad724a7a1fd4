package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §4.2: the host checks every output and refuses what breaks the rules. */
class OutputsClauseTest {
    private static final String[] ENTRIES = {"valid", "lying_length", "dims_dtype_mismatch", "huge_length",
        "negative_dim", "repeated_name", "unknown_dtype", "rank_9", "empty_name", "invalid_utf8_name",
        "invalid_json", "json_array", "json_trailing", "two_json", "thousand_bytes"};

    private static Plugin load(SandboxMode mode, long maxOutputBytes) throws PluginLoadException {
        return Fixtures.load(mode, "outputs", PluginLimits.defaults().withMaxOutputBytes(maxOutputBytes), ENTRIES);
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void aValidTensorAndJsonBecomeTheResult(SandboxMode mode) throws Exception {
        try (Plugin p = load(mode, 1 << 20)) {
            PluginOutput out = Fixtures.call(p, "valid");
            Tensor a = out.tensors().get("a");
            assertEquals(DType.FLOAT32, a.dtype());
            assertArrayEquals(new long[] {2, 2}, a.shape());
            float[] values = new float[4];
            a.data().asFloatBuffer().get(values);
            assertArrayEquals(new float[] {1, 2, 3, 4}, values);
            assertEquals("{\"label\":\"cat\",\"score\":0.5}", out.json());
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void everyBrokenRuleIsAnAbiViolationAndDiscardsTheInstance(SandboxMode mode) throws Exception {
        String[] broken = {"lying_length", "dims_dtype_mismatch", "huge_length", "negative_dim", "repeated_name",
            "unknown_dtype", "rank_9", "empty_name", "invalid_utf8_name", "invalid_json", "json_array",
            "json_trailing", "two_json"};
        try (Plugin p = load(mode, 1 << 20)) {
            for (String entry : broken) {
                Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, entry);
            }
            assertEquals(broken.length, p.stats().instancesDiscarded());
            assertEquals("{\"label\":\"cat\",\"score\":0.5}", Fixtures.call(p, "valid").json());
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void messagesSayWhatWasWrong(SandboxMode mode) throws Exception {
        try (Plugin p = load(mode, 1 << 20)) {
            String lying = Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "lying_length");
            assertTrue(lying.contains("float32[2, 2] needs 16 bytes, but data_len is 100"), lying);
            String repeated = Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "repeated_name");
            assertTrue(repeated.contains("output 'a' was already written"), repeated);
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void outputsOverTheLimitAreRefusedBeforeTheyAreCopied(SandboxMode mode) throws Exception {
        try (Plugin p = load(mode, 500)) {
            String message = Fixtures.failure(ErrorKind.PLUGIN_LIMIT_EXCEEDED, p, "thousand_bytes");
            assertTrue(message.contains("limit of 500"), message);
        }
    }
}
