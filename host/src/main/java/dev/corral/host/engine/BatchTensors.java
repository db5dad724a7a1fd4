package dev.corral.host.engine;

import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stacks requests' inputs along dim 0 for one run, and cuts the run's outputs back apart. */
final class BatchTensors {
    private BatchTensors() {
    }

    /**
     * One tensor per input holding every request's rows in request order, in a direct buffer so
     * that ONNX Runtime reads it without another copy. The requests must share a shape key.
     */
    static Map<String, Tensor> stack(List<InferenceRequest> batch) {
        Map<String, Tensor> stacked = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> first : batch.getFirst().inputs().entrySet()) {
            String name = first.getKey();
            long rows = 0;
            long bytes = 0;
            for (InferenceRequest request : batch) {
                Tensor part = request.inputs().get(name);
                rows += part.dim(0);
                bytes += part.byteSize();
            }
            ByteBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
            for (InferenceRequest request : batch) {
                data.put(request.inputs().get(name).data());
            }
            long[] shape = first.getValue().shape();
            shape[0] = rows;
            stacked.put(name, Tensor.of(first.getValue().dtype(), shape, data.flip()));
        }
        return stacked;
    }

    /**
     * Each request's rows of every output, in batch order; the parts share the run's output
     * buffers rather than copying them.
     *
     * @throws IllegalStateException when an output's dim 0 is not the batch's row count
     */
    static List<Map<String, Tensor>> split(Map<String, Tensor> outputs, List<InferenceRequest> batch) {
        long totalRows = batch.stream().mapToLong(InferenceRequest::rows).sum();
        List<Map<String, Tensor>> parts = new ArrayList<>(batch.size());
        batch.forEach(request -> parts.add(new LinkedHashMap<>()));
        for (Map.Entry<String, Tensor> output : outputs.entrySet()) {
            Tensor whole = output.getValue();
            if (whole.rank() == 0 || whole.dim(0) != totalRows) {
                throw new IllegalStateException("output '" + output.getKey() + "' came back as "
                        + TensorInfo.describe(whole.dtype(), whole.shape()) + ", which does not have the batch's "
                        + totalRows + " rows on dim 0");
            }
            long rowBytes = totalRows == 0 ? 0 : whole.byteSize() / totalRows;
            ByteBuffer data = whole.data();
            int offset = 0;
            for (int i = 0; i < batch.size(); i++) {
                int rows = batch.get(i).rows();
                int length = Math.toIntExact(rowBytes * rows);
                long[] shape = whole.shape();
                shape[0] = rows;
                parts.get(i).put(output.getKey(), Tensor.of(whole.dtype(), shape, data.slice(offset, length)));
                offset += length;
            }
        }
        return parts;
    }
}
