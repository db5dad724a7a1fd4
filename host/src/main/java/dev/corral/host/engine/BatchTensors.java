package dev.corral.host.engine;

import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacks requests' inputs along dim 0 for one run, and cuts the run's outputs back apart. With
 * sequence padding, padded inputs are filled up to the batch's longest sequence and padded
 * outputs are cut back to each request's own length.
 */
final class BatchTensors {
    private BatchTensors() {
    }

    /**
     * One tensor per input holding every request's rows in request order, in a direct buffer so
     * that ONNX Runtime reads it without another copy. The requests must share a shape key.
     *
     * @param padding the model's sequence padding, or {@code null} when it has none
     */
    static Map<String, Tensor> stack(List<InferenceRequest> batch, SequencePadding padding) {
        long batchLength = longestSequence(batch);
        Map<String, Tensor> stacked = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> first : batch.getFirst().inputs().entrySet()) {
            String name = first.getKey();
            boolean padded = padding != null && padding.padsInput(name);
            long[] shape = first.getValue().shape();
            long rows = batch.stream().mapToLong(InferenceRequest::rows).sum();
            shape[0] = rows;
            if (padded) {
                shape[SequencePadding.AXIS] = batchLength;
            }
            DType dtype = first.getValue().dtype();
            ByteBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(Tensor.byteSize(dtype, shape)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (InferenceRequest request : batch) {
                Tensor part = request.inputs().get(name);
                if (padded && part.dim(SequencePadding.AXIS) < batchLength) {
                    putPadded(data, part, batchLength, padElement(dtype, padding.padValues().get(name)));
                } else {
                    data.put(part.data());
                }
            }
            stacked.put(name, Tensor.of(dtype, shape, data.flip()));
        }
        return stacked;
    }

    private static long longestSequence(List<InferenceRequest> batch) {
        return batch.stream().mapToLong(InferenceRequest::sequenceLength).max().orElse(0);
    }

    /** Each row of {@code part}, then pad elements up to {@code length} positions. */
    private static void putPadded(ByteBuffer data, Tensor part, long length, byte[] padElement) {
        long rows = part.dim(0);
        long own = part.dim(SequencePadding.AXIS);
        int rowBytes = rows == 0 ? 0 : Math.toIntExact(part.byteSize() / rows);
        long padElements = (length - own) * elementsPerPosition(part);
        ByteBuffer source = part.data();
        for (int row = 0; row < rows; row++) {
            data.put(source.slice(row * rowBytes, rowBytes));
            for (long i = 0; i < padElements; i++) {
                data.put(padElement);
            }
        }
    }

    /** The product of the dimensions after the sequence axis. */
    private static long elementsPerPosition(Tensor part) {
        long elements = 1;
        for (int axis = SequencePadding.AXIS + 1; axis < part.rank(); axis++) {
            elements *= part.dim(axis);
        }
        return elements;
    }

    /**
     * The little-endian bytes of one pad element; the value was checked against the type's range
     * when the model was loaded.
     */
    static byte[] padElement(DType dtype, long value) {
        ByteBuffer element = ByteBuffer.allocate(dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FLOAT32 -> element.putFloat(value);
            case FLOAT64 -> element.putDouble(value);
            case INT64 -> element.putLong(value);
            case INT32 -> element.putInt((int) value);
            case INT8, UINT8, BOOL -> element.put((byte) value);
        }
        return element.array();
    }

    /**
     * Each request's rows of every output, in batch order. Unpadded parts share the run's output
     * buffers; a padded output cut to a shorter sequence is copied.
     *
     * @param padding the model's sequence padding, or {@code null} when it has none
     * @throws IllegalStateException when an output's dim 0 is not the batch's row count, or a
     *                               padded output's dim 1 is not the batch's longest sequence
     */
    static List<Map<String, Tensor>> split(Map<String, Tensor> outputs, List<InferenceRequest> batch,
                                           SequencePadding padding) {
        long totalRows = batch.stream().mapToLong(InferenceRequest::rows).sum();
        long batchLength = longestSequence(batch);
        List<Map<String, Tensor>> parts = new ArrayList<>(batch.size());
        batch.forEach(request -> parts.add(new LinkedHashMap<>()));
        for (Map.Entry<String, Tensor> output : outputs.entrySet()) {
            Tensor whole = output.getValue();
            if (whole.rank() == 0 || whole.dim(0) != totalRows) {
                throw new IllegalStateException("output '" + output.getKey() + "' came back as "
                        + TensorInfo.describe(whole.dtype(), whole.shape()) + ", which does not have the batch's "
                        + totalRows + " rows on dim 0");
            }
            boolean padded = padding != null && padding.padsOutput(output.getKey());
            if (padded && whole.dim(SequencePadding.AXIS) != batchLength) {
                throw new IllegalStateException("padded output '" + output.getKey() + "' came back as "
                        + TensorInfo.describe(whole.dtype(), whole.shape()) + ", but dim 1 should be the batch's"
                        + " longest sequence, " + batchLength);
            }
            long rowBytes = totalRows == 0 ? 0 : whole.byteSize() / totalRows;
            ByteBuffer data = whole.data();
            int offset = 0;
            for (int i = 0; i < batch.size(); i++) {
                InferenceRequest request = batch.get(i);
                int length = Math.toIntExact(rowBytes * request.rows());
                ByteBuffer rows = data.slice(offset, length);
                long[] shape = whole.shape();
                shape[0] = request.rows();
                if (padded && request.sequenceLength() < batchLength) {
                    shape[SequencePadding.AXIS] = request.sequenceLength();
                    rows = cutSequence(rows, request.rows(), rowBytes, rowBytes / batchLength * request.sequenceLength());
                }
                parts.get(i).put(output.getKey(), Tensor.of(whole.dtype(), shape, rows));
                offset += length;
            }
        }
        return parts;
    }

    /** The first {@code keptBytes} of each row: a request's own positions out of a padded output. */
    private static ByteBuffer cutSequence(ByteBuffer rows, int rowCount, long rowBytes, long keptBytes) {
        int kept = Math.toIntExact(keptBytes);
        ByteBuffer cut = ByteBuffer.allocate(Math.toIntExact((long) kept * rowCount)).order(ByteOrder.LITTLE_ENDIAN);
        for (int row = 0; row < rowCount; row++) {
            cut.put(rows.slice(Math.toIntExact(row * rowBytes), kept));
        }
        return cut.flip();
    }
}
