package dev.corral.host.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.testing.ReferenceGenerations;
import dev.corral.host.testing.TestTokenizers;
import dev.corral.host.tokenize.ModelTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Incremental detokenization with the real stories260k tokenizer. */
class IncrementalDetokenizerTest {
    private final ModelTokenizer tokenizer = TestTokenizers.stories();

    @Test
    void byteFallbackCharactersAreNeverEmittedBroken() {
        int[] ids = tokenizer.encode("café ☕ and 日本", true);
        IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, new int[0]);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(d.push(id));
        }
        pieces.add(d.finish());
        for (String piece : pieces) {
            assertFalse(piece.contains("\uFFFD"), "a piece holds a broken character: " + pieces);
        }
        assertEquals("café ☕ and 日本", String.join("", pieces));
        assertEquals(List.of("", "c", "a", "f", "é", " ", "", "", "☕"), pieces.subList(0, 9),
                "☕'s three byte tokens give one piece, on the last");
    }

    @Test
    void piecesAfterAPromptConcatenateToTheReferenceText() {
        JsonNode reference = ReferenceGenerations.forPrompt("");
        IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, new int[] {1});
        StringBuilder text = new StringBuilder();
        for (int id : ReferenceGenerations.ids(reference)) {
            text.append(d.push(id));
        }
        text.append(d.finish());
        assertEquals(reference.get("text").asText(), text.toString());
    }

    @Test
    void theFirstGeneratedWordKeepsItsSpaceAfterThePrompt() {
        int[] prompt = tokenizer.encode("Zoo", true);
        JsonNode reference = ReferenceGenerations.forPrompt("Zoo");
        IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, prompt);
        StringBuilder text = new StringBuilder("Zoo");
        for (int id : ReferenceGenerations.ids(reference)) {
            text.append(d.push(id));
        }
        assertEquals(reference.get("text").asText(), text.toString());
    }
}
