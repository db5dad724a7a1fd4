package dev.corral.host.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.testing.TestPaths;
import dev.corral.host.testing.TestTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's tokenizer, with the real stories260k tokenizer.json through DJL. */
class ModelTokenizerTest {
    private final TokenizerPool pool = TestTokenizers.pool();
    private final ModelTokenizer stories = TestTokenizers.stories();

    @Test
    void encodesAsLlama2cDoesWithBosAndDecodesBack() {
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, stories.encode("Once upon a time", true));
        assertArrayEquals(new int[] {403, 407, 261, 378}, stories.encode("Once upon a time", false));
        assertEquals("Once upon a time", stories.decode(new int[] {1, 403, 407, 261, 378}, true));
    }

    @Test
    void byteFallbackCharactersRoundTrip() {
        int[] ids = stories.encode("café ☕", true);
        assertEquals("café ☕", stories.decode(ids, true));
        assertTrue(ids.length > 6, "☕ is not in the 512-token vocabulary: it is spelled in byte tokens");
    }

    @Test
    void vocabularyLookups() {
        assertEquals(512, stories.vocabSize());
        assertEquals(2, stories.tokenId("</s>"));
        assertEquals(-1, stories.tokenId("no such token"));
    }

    @Test
    void anIdOutsideTheVocabularyIsRefusedBeforeTheNativeCall() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stories.decode(new int[] {1, 512}, true));
        assertTrue(e.getMessage().contains("512"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> stories.decode(new int[] {-1}, true));
    }

    @Test
    void aClosedTokenizerRefusesCalls() throws IOException {
        ModelTokenizer t = ModelTokenizer.load("closing", TestPaths.modelMirror().resolve("stories260k/tokenizer.json"), pool);
        t.close();
        ServingException e = assertThrows(ServingException.class, () -> t.encode("x", true));
        assertEquals(ErrorKind.MODEL_NOT_READY, e.kind());
    }

    @Test
    void aFileThatIsNotATokenizerFailsToLoadNamingIt(@TempDir Path dir) throws IOException {
        Path bogus = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        IOException e = assertThrows(IOException.class, () -> ModelTokenizer.load("bogus", bogus, pool));
        assertTrue(e.getMessage().contains(bogus.toString()), e.getMessage());
    }

    @Test
    void aFullPoolRefusesAtOnce() throws Exception {
        try (TokenizerPool tiny = new TokenizerPool(1, 1)) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch hold = new CountDownLatch(1);
            Thread busy = Thread.ofVirtual().start(() -> tiny.run(() -> {
                running.countDown();
                hold.await();
                return 0;
            }));
            running.await();
            // Of two more calls, one waits in the queue's only slot and the other is refused at once.
            List<ServingException> refusals = new CopyOnWriteArrayList<>();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                callers.add(Thread.ofVirtual().start(() -> {
                    try {
                        tiny.run(() -> 0);
                    } catch (ServingException e) {
                        refusals.add(e);
                    }
                }));
            }
            for (int i = 0; i < 400 && refusals.isEmpty(); i++) {
                Thread.sleep(5);
            }
            hold.countDown();
            busy.join();
            for (Thread t : callers) {
                t.join();
            }
            assertEquals(1, refusals.size());
            assertEquals(ErrorKind.QUEUE_FULL, refusals.getFirst().kind());
            assertTrue(refusals.getFirst().retryAfter() != null);
        }
    }
}
