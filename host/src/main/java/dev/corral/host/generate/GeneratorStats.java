package dev.corral.host.generate;

/**
 * A generator's counters since load.
 *
 * @param maxConcurrent the cap on generations at once
 * @param running       generations running now
 * @param started       generations started
 * @param cancelled     generations stopped because their client went away
 * @param tokens        tokens generated (every model step that produced one)
 */
public record GeneratorStats(int maxConcurrent, int running, long started, long cancelled, long tokens) {
}
