package dev.corral.host.engine;

import dev.corral.host.tensor.DType;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * A model input or output as the model declares it.
 *
 * @param shape the declared dimensions, {@link #DYNAMIC} where the model leaves one open
 */
public record TensorInfo(String name, DType dtype, long[] shape) {
    public static final long DYNAMIC = -1;

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy of the declared shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public boolean isDynamic(int axis) {
        return shape[axis] == DYNAMIC;
    }

    /** The type and shape as messages show them, e.g. {@code float32[-1,3,224,224]}. */
    public String describe() {
        return describe(dtype, shape);
    }

    static String describe(DType dtype, long[] shape) {
        StringJoiner dims = new StringJoiner(",", "[", "]");
        for (long d : shape) {
            dims.add(Long.toString(d));
        }
        return dtype.label() + dims;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo other && name.equals(other.name) && dtype == other.dtype
                && Arrays.equals(shape, other.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + describe();
    }
}
