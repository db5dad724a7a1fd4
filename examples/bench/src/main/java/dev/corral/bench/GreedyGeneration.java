package dev.corral.bench;

/**
 * One timed greedy generation.
 *
 * @param ids             the generated ids, the prompt not included
 * @param firstTokenNanos from the start to the first generated id: the prompt's run and its argmax
 * @param stepNanos       each later token: feeding the previous one, the run and the argmax
 * @param totalNanos      the whole generation
 */
record GreedyGeneration(long[] ids, long firstTokenNanos, long[] stepNanos, long totalNanos) {
}
