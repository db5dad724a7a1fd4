package dev.corral.host.serving;

import dev.corral.host.pipeline.StageTimings;
import java.util.List;

/**
 * A request's embeddings, one per text in request order.
 *
 * @param timings every text's stages added up
 */
public record EmbeddingOutcome(List<Embedding> embeddings, StageTimings timings) {
    public EmbeddingOutcome {
        embeddings = List.copyOf(embeddings);
    }

    public int totalTokens() {
        return embeddings.stream().mapToInt(Embedding::tokens).sum();
    }
}
