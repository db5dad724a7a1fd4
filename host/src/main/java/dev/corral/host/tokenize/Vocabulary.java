package dev.corral.host.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A tokenizer's token strings and ids, read from its {@code tokenizer.json} — DJL offers no
 * lookup of a token's id nor the vocabulary's size, and both are part of the capability.
 * Knows WordPiece, BPE and WordLevel vocabularies (an object of token → id), Unigram's (a list of
 * [token, score], the id being the position) and the added tokens of any model.
 */
final class Vocabulary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> ids;
    private final int size;

    private Vocabulary(Map<String, Integer> ids, int size) {
        this.ids = ids;
        this.size = size;
    }

    static Vocabulary read(Path tokenizerJson) throws IOException {
        JsonNode root = JSON.readTree(tokenizerJson.toFile());
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ids.put(e.getKey(), e.getValue().asInt());
            }
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        } else {
            throw new IOException(tokenizerJson + ": model.vocab is neither an object nor a list; "
                    + "expected a Hugging Face tokenizer.json");
        }
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.path("content").asText(), added.path("id").asInt());
        }
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        return new Vocabulary(Map.copyOf(ids), size);
    }

    /** The token's id, or -1. */
    int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    /** One more than the largest id. */
    int size() {
        return size;
    }
}
