package dev.corral.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ONNX Runtime alone, through its Java API, on a tensor that is already preprocessed: the floor
 * under everything Corral adds. The values are random in the range a normalised image has;
 * a convolutional network's run time does not depend on them.
 */
final class RawOrtBench {
    /** One configuration's numbers; {@code intraOpThreads} 0 means ONNX Runtime's own choice (one per core). */
    record Row(int intraOpThreads, int batch, Latency perBatch, double perImageMs, double imagesPerSecond) {
    }

    private RawOrtBench() {
    }

    static List<Row> run(Path onnxFile, int[] intraOpThreads, int[] batches, Harness.Budget budget) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<Row> rows = new ArrayList<>();
        for (int threads : intraOpThreads) {
            try (OrtSession.SessionOptions options = sessionOptions(threads);
                 OrtSession session = env.createSession(onnxFile.toString(), options)) {
                String input = session.getInputNames().iterator().next();
                long[] shape = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
                for (int batch : batches) {
                    try (OnnxTensor tensor = normalisedImages(env, shape, batch)) {
                        Map<String, OnnxTensor> feed = Map.of(input, tensor);
                        Harness.Result r = Harness.sequential(() -> {
                            try (OrtSession.Result out = session.run(feed)) {
                                return out.size();
                            }
                        }, budget, out -> { });
                        rows.add(new Row(threads, batch, r.latency(), round(r.latency().meanMs() / batch),
                                round(r.perSecond() * batch)));
                    }
                }
            }
        }
        return rows;
    }

    /** The engine's session options (all graph optimisations, sequential, one inter-op thread) but for the thread count. */
    private static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setInterOpNumThreads(1);
        if (intraOpThreads > 0) {
            options.setIntraOpNumThreads(intraOpThreads);
        }
        return options;
    }

    /** float32 in the model's input shape with {@code batch} rows, as MobileNetV2's preprocessing leaves images. */
    private static OnnxTensor normalisedImages(OrtEnvironment env, long[] modelShape, int batch) throws OrtException {
        long[] shape = modelShape.clone();
        shape[0] = batch;
        int size = batch;
        for (int d = 1; d < shape.length; d++) {
            if (shape[d] < 1) {
                throw new IllegalArgumentException("the model's input has a dynamic dimension " + d
                        + " (" + Arrays.toString(modelShape) + "); only the batch may be dynamic here");
            }
            size = Math.multiplyExact(size, (int) shape[d]);
        }
        FloatBuffer values = FloatBuffer.allocate(size);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < size; i++) {
            values.put((float) random.nextDouble(-2.1, 2.6));
        }
        values.flip();
        return OnnxTensor.createTensor(env, values, shape);
    }

    static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
