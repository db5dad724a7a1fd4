package dev.corral.host.engine;

import static dev.corral.host.engine.TestModels.MOBILENET;
import static dev.corral.host.engine.TestModels.STORIES;
import static dev.corral.host.engine.TestModels.miniLm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Greedy generation on the real stories260K, checked against the reference ids beside the model. */
class DecoderSessionTest {
    private static final EngineOptions CPU = new EngineOptions(Device.CPU, false, 1, null, 16);

    /** A reference run: the prompt's ids and the 40 ids greedy decoding produced from them. */
    private record Reference(String prompt, long[] promptIds, long[] generated) {
    }

    private static InferenceEngine engine;
    private static DecoderSession stories;
    private static List<Reference> references;

    @BeforeAll
    static void load() throws ModelLoadException, IOException {
        engine = new InferenceEngine(1);
        stories = engine.loadDecoder("stories", STORIES, CPU);
        references = new ArrayList<>();
        for (JsonNode run : new ObjectMapper().readTree(STORIES.resolveSibling("expected_greedy.json").toFile())) {
            references.add(new Reference(run.get("prompt").asText(), longs(run.get("prompt_tokens")),
                    longs(run.get("generated_ids"))));
        }
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    /** The highest logit's id, the lowest id among equals. */
    private static long argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static long[] greedy(long[] promptIds, int tokens) {
        long[] generated = new long[tokens];
        try (DecoderState state = stories.start(promptIds)) {
            float[] logits = state.logits();
            for (int i = 0; i < tokens; i++) {
                generated[i] = argmax(logits);
                if (i + 1 < tokens) {
                    logits = state.next(generated[i]);
                }
            }
            assertEquals(promptIds.length + tokens - 1, state.length());
        }
        return generated;
    }

    @Test
    void readsTheCacheLayoutFromTheSignature() {
        assertEquals(512, stories.vocabSize());
        assertEquals(5, stories.layers());
        assertEquals("cpu", stories.device());
        assertEquals("stories", stories.modelName());
    }

    @Test
    void greedyDecodingReproducesTheReferenceIds() {
        assertEquals(List.of("", "Zoo"), references.stream().map(Reference::prompt).toList());
        DecoderStats before = stories.stats();
        for (Reference reference : references) {
            assertArrayEquals(reference.generated(), greedy(reference.promptIds(), reference.generated().length),
                    "greedy from \"" + reference.prompt() + "\"");
        }
        DecoderStats after = stories.stats();
        assertTrue(after.prefills() - before.prefills() >= 2, after.toString());
        assertTrue(after.steps() - before.steps() >= 2 * 39, after.toString());
        assertTrue(after.meanStepMillis() > 0, after.toString());
        System.out.printf("stories260K: %d steps, %.3f ms/step mean; %d prefills of %d tokens in %.3f ms%n",
                after.steps(), after.meanStepMillis(), after.prefills(), after.promptTokens(),
                after.prefillNanosTotal() / 1e6);
    }

    @Test
    void concurrentGenerationsGiveTheSameIdsAsSequentialOnes() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<FutureTask<long[]>> runs = new ArrayList<>();
        // Each reference twice, so that equal prompts also run side by side.
        for (int copy = 0; copy < 2; copy++) {
            for (Reference reference : references) {
                FutureTask<long[]> run = new FutureTask<>(() -> {
                    go.await();
                    return greedy(reference.promptIds(), reference.generated().length);
                });
                Thread.ofPlatform().name("generation-" + runs.size()).start(run);
                runs.add(run);
            }
        }
        go.countDown();
        for (int i = 0; i < runs.size(); i++) {
            Reference reference = references.get(i % references.size());
            assertArrayEquals(reference.generated(), runs.get(i).get(60, TimeUnit.SECONDS), "generation " + i);
        }
        assertEquals(0, stories.stats().openStates());
    }

    @Test
    void logitsAreTheLastPositionsAndLengthCountsEveryFedToken() {
        try (DecoderState state = stories.start(new long[] {1, 410, 469, 347})) {
            assertEquals(4, state.length());
            assertEquals(512, state.logits().length);
            float[] next = state.next(286);
            assertSame(next, state.logits());
            assertEquals(5, state.length());
            assertTrue(stories.stats().openStates() >= 1);
        }
    }

    @Test
    void refusesTokensOutsideTheVocabularyAndAnEmptyPrompt() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> stories.start(new long[0]));
        assertEquals("model 'stories': a prompt needs at least one token (usually BOS)", empty.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> stories.start(new long[] {1, 512}));
        assertEquals("token id 512 is outside the vocabulary of model 'stories' (0..511)", outside.getMessage());
        try (DecoderState state = stories.start(new long[] {1})) {
            assertThrows(IllegalArgumentException.class, () -> state.next(-1));
            assertEquals(1, state.length(), "a refused token leaves the state as it was");
            assertEquals(403, argmax(state.logits()));
            assertEquals(407, argmax(state.next(403)), "the state still steps after a refused token");
        }
    }

    @Test
    void aClosedStateRefusesStepsAndClosingTheDecoderEndsItsGenerations() throws ModelLoadException {
        DecoderState closedState = stories.start(new long[] {1});
        closedState.close();
        closedState.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> closedState.next(403));
        assertEquals("this generation on model 'stories' is closed", e.getMessage());

        DecoderSession own = engine.loadDecoder("stories-closing", STORIES, CPU);
        DecoderState open = own.start(new long[] {1});
        own.close();
        ServingException unloaded = assertThrows(ServingException.class, () -> open.next(403));
        assertEquals(ErrorKind.MODEL_NOT_READY, unloaded.kind());
        assertEquals(0, own.stats().openStates());
        assertThrows(ServingException.class, () -> own.start(new long[] {1}));
        open.close();
    }

    @Test
    void modelsWithoutACachedDecoderLayoutAreRefusedNamingWhatIsMissing(@TempDir Path dir) {
        ModelLoadException image = assertThrows(ModelLoadException.class,
                () -> engine.loadDecoder("mobilenet", MOBILENET, CPU));
        assertEquals("model 'mobilenet' cannot run as a cached decoder: it has no input 'input_ids' (its inputs: [input])",
                image.getMessage());

        ModelLoadException encoder = assertThrows(ModelLoadException.class,
                () -> engine.loadDecoder("minilm", miniLm(), CPU));
        assertTrue(encoder.getMessage().startsWith("model 'minilm' cannot run as a cached decoder: it has no input"
                + " 'past_key_values.0.key' (its inputs: [input_ids, attention_mask, token_type_ids]); export it"
                + " with its KV cache"), encoder.getMessage());

        ModelLoadException missing = assertThrows(ModelLoadException.class,
                () -> engine.loadDecoder("nowhere", dir.resolve("none.onnx"), CPU));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}
