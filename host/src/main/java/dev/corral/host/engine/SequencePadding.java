package dev.corral.host.engine;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How requests of different sequence lengths share a batch (text models): the padded inputs are
 * filled along dim 1 up to the batch's longest sequence, and the padded outputs are cut back to
 * each request's own length. Every padded input of one request must have the same dim 1: that is
 * the request's sequence length.
 *
 * @param padValues the value each padded input is filled with, by input name (converted to the
 *                  input's element type: 0 for an attention mask, the pad token for ids)
 * @param outputs   the outputs whose dim 1 is the sequence and comes back as the batch's longest
 *                  length; other outputs are split along dim 0 only
 */
public record SequencePadding(Map<String, Long> padValues, Set<String> outputs) {
    /** The sequence axis of every padded input and output. */
    public static final int AXIS = 1;

    public SequencePadding {
        padValues = Map.copyOf(Objects.requireNonNull(padValues, "padValues"));
        outputs = Set.copyOf(Objects.requireNonNull(outputs, "outputs"));
        if (padValues.isEmpty()) {
            throw new IllegalArgumentException("sequence padding needs at least one padded input");
        }
    }

    boolean padsInput(String name) {
        return padValues.containsKey(name);
    }

    boolean padsOutput(String name) {
        return outputs.contains(name);
    }
}
