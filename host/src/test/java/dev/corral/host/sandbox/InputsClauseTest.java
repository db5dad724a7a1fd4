package dev.corral.host.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ABI.md §3 and §4.1: inputs as a plugin reads them, checked by echoing them back through §4.2. */
class InputsClauseTest {

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void section3_everyDtypeRoundTripsWithItsDimsAndData(SandboxMode mode) throws Exception {
        Random random = new Random(42);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        long[][] shapes = {{2, 3}, {5}, {}, {1, 2, 2}, {0, 4}, {3, 1}, {2, 2, 1, 1}};
        DType[] types = DType.values();
        for (int i = 0; i < types.length; i++) {
            long[] shape = shapes[i % shapes.length];
            byte[] data = new byte[(int) Tensor.byteSize(types[i], shape)];
            random.nextBytes(data);
            if (types[i] == DType.BOOL) {
                for (int j = 0; j < data.length; j++) {
                    data[j] = (byte) (data[j] & 1);
                }
            }
            inputs.put("in_" + types[i].label(), Tensor.of(types[i], shape, data));
        }
        try (Plugin echo = Fixtures.load(mode, "echo", "process")) {
            PluginOutput out = echo.call("process", inputs, Parameters.empty());

            assertEquals(List.copyOf(inputs.keySet()), List.copyOf(out.tensors().keySet()));
            for (var e : inputs.entrySet()) {
                Tensor copy = out.tensors().get(e.getKey());
                assertEquals(e.getValue().dtype(), copy.dtype(), e.getKey());
                assertArrayEquals(e.getValue().shape(), copy.shape(), e.getKey());
                assertArrayEquals(e.getValue().bytes(), copy.bytes(), e.getKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void inputRead_copiesLargeDataInOffsetChunks(SandboxMode mode) throws Exception {
        byte[] data = new byte[300_001];
        new Random(7).nextBytes(data);
        try (Plugin echo = Fixtures.load(mode, "echo", "process")) {
            Tensor in = Tensor.of(DType.UINT8, new long[] {data.length}, data);
            Tensor out = echo.call("process", Map.of("image", in), Parameters.empty()).tensors().get("image");
            assertArrayEquals(data, out.bytes());
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void inputRead_returnsFewerBytesOnlyAtTheEndOfTheData(SandboxMode mode) throws Exception {
        try (Plugin echo = Fixtures.load(mode, "echo", "tail")) {
            Tensor in = Tensor.of(DType.UINT8, new long[] {10}, new byte[10]);
            PluginOutput out = echo.call("tail", Map.of("x", in), Parameters.empty());
            assertEquals(3, Fixtures.intOf(out.tensors().get("copied")));
            assertEquals(0, Fixtures.intOf(out.tensors().get("past")));
        }
    }

    @ParameterizedTest
    @EnumSource(SandboxMode.class)
    void inputFind_givesTheIndexByNameOrMinusOne(SandboxMode mode) throws Exception {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("a", Fixtures.i32Scalar(1));
        inputs.put("b", Fixtures.i32Scalar(2));
        try (Plugin echo = Fixtures.load(mode, "echo", "find")) {
            PluginOutput out = echo.call("find", inputs, Parameters.empty());
            assertEquals(1, Fixtures.intOf(out.tensors().get("index_of_b")));
            assertEquals(-1, Fixtures.intOf(out.tensors().get("index_of_missing")));
        }
    }
}
