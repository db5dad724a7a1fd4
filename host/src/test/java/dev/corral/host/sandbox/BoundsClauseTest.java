package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §4.1 and §6: a pointer/length outside memory or a bad index is an ABI violation. */
class BoundsClauseTest {
    private static final String[] ENTRIES = {"pointer_out_of_range", "pointer_plus_length_past_end",
        "negative_length", "index_out_of_range", "negative_index", "axis_out_of_range", "negative_offset",
        "destination_past_end"};
    private static final Map<String, Tensor> ONE_INPUT =
            Map.of("x", Tensor.of(DType.UINT8, new long[] {16}, new byte[16]));

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void everyBadPointerLengthIndexAxisOrOffsetIsRefused(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "bounds", ENTRIES)) {
            for (String entry : ENTRIES) {
                Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, entry, ONE_INPUT);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void messagesNameTheRangeAndTheMemorySize(SandboxMode mode) throws Exception {
        try (Plugin p = Fixtures.load(mode, "bounds", ENTRIES)) {
            String past = Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "pointer_plus_length_past_end", ONE_INPUT);
            assertTrue(past.contains("at 65530 with length 10 is outside memory (65536 bytes)"), past);
            String index = Fixtures.failure(ErrorKind.PLUGIN_ABI_VIOLATION, p, "index_out_of_range", ONE_INPUT);
            assertTrue(index.contains("input index 5 is outside 0..0"), index);
        }
    }
}
