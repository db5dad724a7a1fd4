package dev.corral.host.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The reference greedy generations of stories260k ({@code expected_greedy.json} in the model mirror). */
public final class ReferenceGenerations {
    private ReferenceGenerations() {
    }

    /** The entry for {@code prompt} ("" or "Zoo"): {@code generated_ids}, {@code text} (prompt included). */
    public static JsonNode forPrompt(String prompt) {
        try {
            JsonNode all = new ObjectMapper().readTree(TestPaths.modelMirror()
                    .resolve("stories260k/expected_greedy.json").toFile());
            for (JsonNode entry : all) {
                if (entry.get("prompt").asText().equals(prompt)) {
                    return entry;
                }
            }
            throw new IllegalArgumentException("no reference for prompt \"" + prompt + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ids(JsonNode entry) {
        int[] ids = new int[entry.get("generated_ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = entry.get("generated_ids").get(i).asInt();
        }
        return ids;
    }
}
