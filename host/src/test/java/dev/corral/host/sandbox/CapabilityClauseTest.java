package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.testing.TestTokenizers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §4.5: the tokenizer capability, with the real stories260k tokenizer (DJL). */
class CapabilityClauseTest {
    private static final String[] ENTRIES = {"encode", "encode_short", "decode", "lookup", "bad_flags", "bad_id",
        "bad_utf8", "vocab_size"};
    private static Plugin granted(SandboxMode mode) throws PluginLoadException {
        return Fixtures.runtime(mode).load(new PluginSpec("tokenizer", Fixtures.wasm("tokenizer"), null,
                java.util.Set.of(ENTRIES), PluginLimits.defaults().withDeadline(java.time.Duration.ofSeconds(30)),
                Parameters.empty(), TestTokenizers.stories()));
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void encodeGivesTheHostTokenizersIds(SandboxMode mode) throws Exception {
        try (Plugin p = granted(mode)) {
            assertArrayEquals(new int[] {1, 403, 407, 261, 378}, ints(Fixtures.call(p, "encode").tensors().get("ids").data()));
            assertArrayEquals(new int[] {5, 1, 403, -7}, ints(Fixtures.call(p, "encode_short").tensors().get("count").data()),
                    "a short buffer gets the full count and only as many ids as fit");
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void decodeTokenIdAndVocabularySize(SandboxMode mode) throws Exception {
        try (Plugin p = granted(mode)) {
            ByteBuffer text = Fixtures.call(p, "decode").tensors().get("text").data();
            byte[] bytes = new byte[text.remaining()];
            text.get(bytes);
            assertEquals("Once upon a", new String(bytes, StandardCharsets.UTF_8));
            assertArrayEquals(new int[] {2, 512}, ints(Fixtures.call(p, "lookup").tensors().get("count").data()));
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void withoutTheGrantEveryTokenizerImportFailsNamingTheCapability(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "tokenizer", ENTRIES)) {
            for (String entry : new String[] {"encode", "decode", "lookup", "vocab_size"}) {
                String message = Fixtures.failure(ErrorKind.PLUGIN_CAPABILITY_DENIED, p, entry);
                assertTrue(message.contains("'tokenizer' capability") && message.contains("\"capabilities\""), message);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void badFlagsIdsAndTextAreAbiViolations(SandboxMode mode) throws Exception {
        try (Plugin p = granted(mode)) {
            assertTrue(Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "bad_flags").contains("flags are 2"));
            assertTrue(Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "bad_id").contains("100000"));
            assertTrue(Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "bad_utf8").contains("UTF-8"));
            assertArrayEquals(new int[] {1, 403, 407, 261, 378}, ints(Fixtures.call(p, "encode").tensors().get("ids").data()),
                    "the plugin still works after its failed calls");
        }
    }

    private static int[] ints(ByteBuffer data) {
        ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[le.remaining() / Integer.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = le.getInt();
        }
        return out;
    }
}
