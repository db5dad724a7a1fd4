package dev.corral.host.generate;

import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The inputs of one call of a sampler's entry point (ABI.md §4.7), as the token loop passes them. */
public final class SamplerInputs {
    static final String LOGITS = "logits";
    static final String TOKENS = "tokens";
    static final String STEP = "step";

    private SamplerInputs() {
    }

    /**
     * @param logits the model's logits at the last position: float32 [V]
     * @param tokens every token so far (prompt first), the first {@code count} of the array: int64 [count]
     * @param step   0 for the first generated token, then 1, 2, …: int64 [1]
     */
    public static Map<String, Tensor> of(float[] logits, int[] tokens, int count, int step) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put(LOGITS, floats(logits));
        inputs.put(TOKENS, longs(tokens, count));
        inputs.put(STEP, longs(new int[] {step}, 1));
        return inputs;
    }

    private static Tensor floats(float[] values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return Tensor.of(DType.FLOAT32, new long[] {values.length}, data);
    }

    private static Tensor longs(int[] values, int count) {
        ByteBuffer data = ByteBuffer.allocate(count * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            data.putLong(values[i]);
        }
        return Tensor.of(DType.INT64, new long[] {count}, data.flip());
    }
}
