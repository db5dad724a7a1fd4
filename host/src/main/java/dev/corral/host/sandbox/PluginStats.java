package dev.corral.host.sandbox;

/**
 * Counters of one plugin, for metrics and for tests that check the pool stays bounded.
 *
 * @param calls              calls started
 * @param failures           calls that ended in an error
 * @param instancesCreated   instances created since load (the load-time one included)
 * @param instancesDiscarded instances thrown away after a trap, deadline, limit or ABI violation
 * @param idleInstances      instances waiting in the pool now
 * @param liveInstances      instances that exist now, idle or in a call
 */
public record PluginStats(long calls, long failures, long instancesCreated, long instancesDiscarded,
                          int idleInstances, long liveInstances) {
}
