/**
 * The inference engine: one ONNX Runtime session per loaded model, fed through a bounded
 * request queue and, for models with a dynamic batch dimension, a dynamic batcher (text models
 * may pad requests of different lengths into one batch, see {@link dev.corral.host.engine.SequencePadding}).
 * Decoder-only language models load instead as a {@link dev.corral.host.engine.DecoderSession}
 * that keeps each generation's KV cache in native memory between token steps.
 *
 * <p>Threads: callers (HTTP handlers on virtual threads) only validate, enqueue and wait. Every
 * native call that can take long ({@code OrtSession.run}, session creation) happens on platform
 * threads, because a JNI call pins a virtual thread's carrier and would starve the HTTP side.
 * Runs go to the engine's fixed pool {@code corral-infer-N}; each model may run at most as many
 * batches at once as the pool has threads, so that requests arriving while the pool is busy
 * gather into fuller batches instead of queueing up as single runs. Decoder steps are the
 * exception: they are short, strictly sequential within a generation and run on the calling
 * thread, which must therefore be a platform thread (one per generation).
 */
package dev.corral.host.engine;
