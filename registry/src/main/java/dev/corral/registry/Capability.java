package dev.corral.registry;

/**
 * A group of host imports that every plugin may import (so that a module links anywhere) but that
 * works only for a pipeline step whose manifest grants it: a plugin gets no more of the host than
 * the model's owner chose to lend it.
 */
public enum Capability {
    /** The model's tokenizer ({@code tokenizer_encode}, {@code tokenizer_decode}, …); needs a top-level {@code tokenizer}. */
    TOKENIZER;

    /** The name used in manifests, e.g. {@code tokenizer}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
