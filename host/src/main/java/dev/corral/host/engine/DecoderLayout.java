package dev.corral.host.engine;

import dev.corral.host.tensor.DType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a decoder-only model with a KV cache is fed, read from its signature by Hugging Face's
 * export naming: {@code input_ids}, optional {@code position_ids} and {@code attention_mask},
 * {@code past_key_values.{i}.key|value} in, {@code logits} and {@code present.{i}.key|value} out.
 *
 * @param positionIds   whether the model takes absolute positions
 * @param attentionMask whether the model takes a mask over past and new positions
 * @param cache         one entry per past input, layer by layer, key before value
 * @param vocabSize     dim 2 of {@code logits}
 */
record DecoderLayout(boolean positionIds, boolean attentionMask, List<CacheTensor> cache, int vocabSize) {
    static final String INPUT_IDS = "input_ids";
    static final String POSITION_IDS = "position_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String LOGITS = "logits";

    /**
     * One layer's key or value cache: fed as {@code past}, returned one position longer as
     * {@code present}, shaped [1, heads, length, headDim].
     */
    record CacheTensor(String past, String present, DType dtype, long heads, long headDim) {
        long[] shape(long length) {
            return new long[] {1, heads, length, headDim};
        }
    }

    /**
     * Reads the layout.
     *
     * @throws ModelLoadException naming the tensor that is missing or does not have the type and
     *                            shape a cached decoder needs, or an input the decoder would not
     *                            know how to feed
     */
    static DecoderLayout of(String modelName, ModelSignature signature) throws ModelLoadException {
        Map<String, TensorInfo> inputs = signature.inputs();
        Map<String, TensorInfo> outputs = signature.outputs();
        String model = "model '" + modelName + "' cannot run as a cached decoder: ";
        requireIds(model, inputs.get(INPUT_IDS), INPUT_IDS, inputs.keySet(), true);
        boolean positions = requireIds(model, inputs.get(POSITION_IDS), POSITION_IDS, inputs.keySet(), false);
        boolean mask = requireIds(model, inputs.get(ATTENTION_MASK), ATTENTION_MASK, inputs.keySet(), false);

        List<CacheTensor> cache = new ArrayList<>();
        Set<String> fed = new HashSet<>(Set.of(INPUT_IDS, POSITION_IDS, ATTENTION_MASK));
        for (int layer = 0; inputs.containsKey(pastName(layer, "key")); layer++) {
            for (String part : List.of("key", "value")) {
                String past = pastName(layer, part);
                String present = "present." + layer + "." + part;
                cache.add(cacheTensor(model, inputs.get(past), outputs.get(present), past, present));
                fed.add(past);
            }
        }
        if (cache.isEmpty()) {
            throw new ModelLoadException(model + "it has no input '" + pastName(0, "key") + "' (its inputs: "
                    + inputs.keySet() + "); export it with its KV cache, named past_key_values.{i}.key|value in and"
                    + " present.{i}.key|value out");
        }
        for (String input : inputs.keySet()) {
            if (!fed.contains(input)) {
                throw new ModelLoadException(model + "it takes input '" + input + "', which a decoder does not feed"
                        + " (it feeds input_ids, position_ids, attention_mask and past_key_values.{i}.key|value,"
                        + " layers numbered from 0 without gaps)");
            }
        }
        return new DecoderLayout(positions, mask, List.copyOf(cache), vocabSize(model, outputs));
    }

    private static String pastName(int layer, String part) {
        return "past_key_values." + layer + "." + part;
    }

    /** Checks an int64 [batch, sequence] input; returns whether it is there. */
    private static boolean requireIds(String model, TensorInfo info, String name, Set<String> all,
                                      boolean required) throws ModelLoadException {
        if (info == null) {
            if (required) {
                throw new ModelLoadException(model + "it has no input '" + name + "' (its inputs: " + all + ")");
            }
            return false;
        }
        if (info.dtype() != DType.INT64 || info.rank() != 2) {
            throw new ModelLoadException(model + "input '" + name + "' must be int64[batch,sequence], but it is "
                    + info.describe());
        }
        return true;
    }

    private static CacheTensor cacheTensor(String model, TensorInfo past, TensorInfo present, String pastName,
                                           String presentName) throws ModelLoadException {
        if (past == null) {
            throw new ModelLoadException(model + "it has no input '" + pastName + "' to go with the layer's other"
                    + " cache tensor");
        }
        if (past.rank() != 4 || !past.isDynamic(2) || past.isDynamic(1) || past.isDynamic(3)
                || !(past.isDynamic(0) || past.shape()[0] == 1)) {
            throw new ModelLoadException(model + "input '" + pastName + "' must be [batch, heads, past_sequence,"
                    + " head_dim] with heads and head_dim fixed and the past sequence open, but it is "
                    + past.describe());
        }
        if (present == null) {
            throw new ModelLoadException(model + "it has no output '" + presentName + "' returning the cache fed as '"
                    + pastName + "'");
        }
        long[] pastShape = past.shape();
        long[] presentShape = present.shape();
        if (present.dtype() != past.dtype() || present.rank() != 4 || presentShape[1] != pastShape[1]
                || presentShape[3] != pastShape[3]) {
            throw new ModelLoadException(model + "output '" + presentName + "' is " + present.describe()
                    + ", which does not match input '" + pastName + "' " + past.describe());
        }
        return new CacheTensor(pastName, presentName, past.dtype(), pastShape[1], pastShape[3]);
    }

    private static int vocabSize(String model, Map<String, TensorInfo> outputs) throws ModelLoadException {
        TensorInfo logits = outputs.get(LOGITS);
        if (logits == null) {
            throw new ModelLoadException(model + "it has no output '" + LOGITS + "' (its outputs: " + outputs.keySet()
                    + ")");
        }
        if (logits.dtype() != DType.FLOAT32 || logits.rank() != 3 || logits.isDynamic(2) || logits.shape()[2] < 1) {
            throw new ModelLoadException(model + "output '" + LOGITS + "' must be float32[batch,sequence,vocabulary]"
                    + " with a fixed vocabulary size, but it is " + logits.describe());
        }
        return Math.toIntExact(logits.shape()[2]);
    }
}
