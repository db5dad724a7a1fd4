package dev.corral.host.cli;

import dev.corral.host.tensor.Tensor;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.StringJoiner;

/** One line about a tensor, for a plugin author: {@code name dtype[dims] min/max/mean (first 8 values)}. */
final class TensorSummary {
    private static final int SHOWN = 8;
    private static final MathContext SIGNIFICANT = new MathContext(6);

    private TensorSummary() {
    }

    static String describe(String name, Tensor tensor) {
        StringBuilder line = new StringBuilder(name).append(' ').append(tensor.dtype().label())
                .append(Arrays.toString(tensor.shape()).replace(" ", ""));
        long count = tensor.elementCount();
        if (count == 0) {
            return line.append(" (empty)").toString();
        }
        ByteBuffer data = tensor.data();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        StringJoiner first = new StringJoiner(", ", "[", count > SHOWN ? ", …]" : "]");
        for (long i = 0; i < count; i++) {
            double v = element(tensor, data, (int) i);
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            if (i < SHOWN) {
                first.add(format(v));
            }
        }
        return line.append(" min ").append(format(min)).append(" max ").append(format(max))
                .append(" mean ").append(format(sum / count)).append(' ').append(first).toString();
    }

    private static double element(Tensor tensor, ByteBuffer data, int i) {
        return switch (tensor.dtype()) {
            case FLOAT32 -> data.getFloat(i * 4);
            case FLOAT64 -> data.getDouble(i * 8);
            case UINT8, BOOL -> Byte.toUnsignedInt(data.get(i));
            case INT8 -> data.get(i);
            case INT32 -> data.getInt(i * 4);
            case INT64 -> data.getLong(i * 8);
        };
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.isFinite(v) ? new BigDecimal(v, SIGNIFICANT).stripTrailingZeros().toString() : Double.toString(v);
    }
}
