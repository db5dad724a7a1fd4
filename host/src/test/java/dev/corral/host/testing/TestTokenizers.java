package dev.corral.host.testing;

import dev.corral.host.tokenize.ModelTokenizer;
import dev.corral.host.tokenize.TokenizerPool;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The real stories260k tokenizer (DJL), loaded once per test JVM on a small pool of its own. */
public final class TestTokenizers {
    private static TokenizerPool pool;
    private static ModelTokenizer stories;

    private TestTokenizers() {
    }

    public static synchronized TokenizerPool pool() {
        if (pool == null) {
            pool = new TokenizerPool(2, 16);
        }
        return pool;
    }

    public static synchronized ModelTokenizer stories() {
        if (stories == null) {
            try {
                stories = ModelTokenizer.load("stories260k", TestPaths.modelMirror().resolve("stories260k/tokenizer.json"), pool());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return stories;
    }
}
