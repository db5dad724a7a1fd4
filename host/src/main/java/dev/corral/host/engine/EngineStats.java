package dev.corral.host.engine;

import java.util.SortedMap;

/**
 * Counters of one model session since it was loaded.
 *
 * @param requests          requests accepted into the queue
 * @param rejected          requests refused because the queue was full
 * @param failed            accepted requests that ended with an error (failed run, unload)
 * @param batches           runs that succeeded
 * @param rows              rows run: dim 0 summed over batched requests; one per request when
 *                          the session does not batch
 * @param queueDepth        requests accepted and not yet running, now
 * @param queueNanosTotal   queue time summed over requests that ran
 * @param inferNanosTotal   run time summed over runs
 * @param requestsPerBatch  how many runs served 1, 2, 3… requests
 */
public record EngineStats(long requests, long rejected, long failed, long batches, long rows, int queueDepth,
                          long queueNanosTotal, long inferNanosTotal, SortedMap<Integer, Long> requestsPerBatch) {
}
