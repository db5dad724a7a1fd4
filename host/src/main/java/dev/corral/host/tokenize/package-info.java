/**
 * Hugging Face tokenizers (DJL) in the host: one {@link dev.corral.host.tokenize.ModelTokenizer}
 * per model that declares one, closed when the model unloads, its native work bounded by the
 * {@link dev.corral.host.tokenize.TokenizerPool}. Plugins reach it through the {@code tokenizer}
 * capability (ABI.md §4.5); the token loop uses it to detokenize.
 */
package dev.corral.host.tokenize;
