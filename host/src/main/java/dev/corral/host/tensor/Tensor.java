package dev.corral.host.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense row-major tensor: the only currency between pipeline steps. The data buffer is
 * little-endian (WebAssembly's and ONNX Runtime's order), read-only to consumers, and holds
 * exactly {@code elementCount() * dtype.byteSize()} bytes from position 0.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    private Tensor(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Wraps {@code data} (from its position to its limit) without copying.
     *
     * @throws IllegalArgumentException when a dimension is negative or the byte length is not
     *                                  {@code product(shape) * dtype.byteSize()}
     */
    public static Tensor of(DType dtype, long[] shape, ByteBuffer data) {
        long expected = byteSize(dtype, shape);
        if (expected != data.remaining()) {
            throw new IllegalArgumentException("tensor of " + dtype.label() + Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        ByteBuffer view = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(dtype, shape.clone(), view);
    }

    /** Wraps a byte array without copying. */
    public static Tensor of(DType dtype, long[] shape, byte[] data) {
        return of(dtype, shape, ByteBuffer.wrap(data));
    }

    /**
     * Bytes that a tensor of this type and shape occupies.
     *
     * @throws IllegalArgumentException when a dimension is negative or the size overflows
     */
    public static long byteSize(DType dtype, long[] shape) {
        long n = dtype.byteSize();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public int byteSize() {
        return data.capacity();
    }

    /** A fresh read-only little-endian view of the data, positioned at 0. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A copy of the data as a byte array. */
    public byte[] bytes() {
        byte[] out = new byte[data.capacity()];
        data().get(out);
        return out;
    }

    @Override
    public String toString() {
        return dtype.label() + Arrays.toString(shape);
    }
}
