package dev.corral.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy generation written straight against ONNX Runtime's Java API, the way a user without
 * Corral would: run the prompt with an empty KV cache, then one token at a time, feeding each
 * run's {@code present.*} tensors back as the next run's {@code past_key_values.*}. No Corral
 * code is involved, so it is the floor for Corral's token loop. Expects Hugging Face's naming
 * ({@code input_ids}, {@code position_ids}, {@code past_key_values.{i}.key|value} →
 * {@code logits}, {@code present.{i}.key|value}) as stories260K has it.
 */
final class RawGreedyLoop implements AutoCloseable {
    private static final String PAST_PREFIX = "past_key_values.";

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    /** past input name → the present output that feeds it next time */
    private final Map<String, String> presentOf = new LinkedHashMap<>();
    /** past input name → its zero-length first value */
    private final Map<String, OnnxTensor> emptyPast = new HashMap<>();

    RawGreedyLoop(Path onnxFile, int intraOpThreads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // As the engine creates sessions, so that the comparison is of the loops, not of the settings.
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setInterOpNumThreads(1);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            session = env.createSession(onnxFile.toString(), options);
        }
        for (NodeInfo input : session.getInputInfo().values()) {
            if (input.getName().startsWith(PAST_PREFIX)) {
                presentOf.put(input.getName(), "present." + input.getName().substring(PAST_PREFIX.length()));
                long[] shape = ((TensorInfo) input.getInfo()).getShape();
                shape[0] = 1;
                shape[2] = 0;
                emptyPast.put(input.getName(), OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape));
            }
        }
    }

    /**
     * Generates {@code tokens} ids greedily after the prompt, timing the first token (the prompt's
     * run plus its argmax) and every later step (one run plus its argmax).
     */
    GreedyGeneration generate(long[] promptIds, int tokens) throws OrtException {
        long start = System.nanoTime();
        long[] ids = new long[tokens];
        long[] stepNanos = new long[tokens - 1];
        OrtSession.Result result = run(promptIds, 0, emptyPast);
        try {
            ids[0] = lastArgmax(result, promptIds.length);
            long firstToken = System.nanoTime() - start;
            long position = promptIds.length;
            for (int i = 1; i < tokens; i++) {
                long stepStart = System.nanoTime();
                Map<String, OnnxTensor> past = new HashMap<>();
                for (Map.Entry<String, String> pair : presentOf.entrySet()) {
                    past.put(pair.getKey(), (OnnxTensor) result.get(pair.getValue()).orElseThrow());
                }
                OrtSession.Result next = run(new long[] {ids[i - 1]}, position, past);
                result.close();
                result = next;
                position++;
                ids[i] = lastArgmax(result, 1);
                stepNanos[i - 1] = System.nanoTime() - stepStart;
            }
            return new GreedyGeneration(ids, firstToken, stepNanos, System.nanoTime() - start);
        } finally {
            result.close();
        }
    }

    private OrtSession.Result run(long[] ids, long firstPosition, Map<String, OnnxTensor> past) throws OrtException {
        long[] positions = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            positions[i] = firstPosition + i;
        }
        long[] shape = {1, ids.length};
        List<OnnxTensor> created = new ArrayList<>(2);
        try {
            Map<String, OnnxTensor> feed = new HashMap<>(past);
            created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            feed.put("input_ids", created.getLast());
            created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
            feed.put("position_ids", created.getLast());
            return session.run(feed);
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    /** The highest logit's id at the last of {@code positions} positions, the lowest id among equals. */
    private static long lastArgmax(OrtSession.Result result, int positions) {
        FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
        int vocab = logits.capacity() / positions;
        int offset = (positions - 1) * vocab;
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits.get(offset + i) > logits.get(offset + best)) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() throws OrtException {
        emptyPast.values().forEach(OnnxTensor::close);
        session.close();
    }
}
