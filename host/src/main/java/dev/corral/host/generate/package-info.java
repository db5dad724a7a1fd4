/**
 * Text generation: the token loop in the host. A model's prompt pipeline (plugins) turns the
 * request into {@code input_ids}; the {@link dev.corral.host.generate.TokenLoop} runs the prefill
 * and one ONNX Runtime step per token with the KV cache, asks the sampler plugin for each token,
 * detokenizes incrementally and hands each piece of text to a {@link dev.corral.host.generate.TokenSink}.
 * The {@link dev.corral.host.generate.Generator} bounds how many loops a model runs at once.
 */
package dev.corral.host.generate;
