package dev.corral.host.generate;

import dev.corral.host.tokenize.ModelTokenizer;
import java.util.Arrays;

/**
 * Turns a growing list of token ids into text pieces that concatenate to the decoded whole,
 * never emitting half a character: a byte-fallback character whose bytes span several tokens
 * decodes as U+FFFD until its last byte arrives, and is held back until then.
 *
 * <p>Each step decodes a short window of the latest tokens twice — up to the last emitted token
 * and up to the newest — and emits the difference. Decoding a window rather than a single token
 * keeps what a tokenizer's decoder does at word starts (Llama's "▁" becomes a space except at the
 * very start) the same as in the whole text.
 */
final class IncrementalDetokenizer {
    /** Tokens before the unread ones that each window keeps, so that word starts decode as in context. */
    private static final int CONTEXT_TOKENS = 6;
    private static final char REPLACEMENT = '\uFFFD';

    private final ModelTokenizer tokenizer;
    private int[] ids;
    private int size;
    private int prefixOffset;
    private int readOffset;

    /**
     * @param context tokens already in the text that are not to be emitted (the prompt), or none
     */
    IncrementalDetokenizer(ModelTokenizer tokenizer, int[] context) {
        this.tokenizer = tokenizer;
        this.ids = Arrays.copyOf(context, Math.max(16, context.length * 2));
        this.size = context.length;
        this.readOffset = size;
        this.prefixOffset = Math.max(0, size - CONTEXT_TOKENS);
    }

    /** Adds one token; returns the text it completes, possibly empty. */
    String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String before = window(readOffset);
        String after = window(size);
        if (after.length() <= before.length() || after.charAt(after.length() - 1) == REPLACEMENT) {
            return "";
        }
        prefixOffset = Math.max(prefixOffset, readOffset - CONTEXT_TOKENS + 1);
        readOffset = size;
        return after.substring(before.length());
    }

    /** The text of tokens still held back (an incomplete character at the very end), emitted as decoded. */
    String finish() {
        if (readOffset == size) {
            return "";
        }
        String before = window(readOffset);
        String after = window(size);
        readOffset = size;
        return after.length() > before.length() ? after.substring(before.length()) : "";
    }

    /** The text of the window from {@code prefixOffset} up to {@code end}. */
    private String window(int end) {
        return tokenizer.decodeOnCaller(Arrays.copyOfRange(ids, prefixOffset, end), true);
    }
}
