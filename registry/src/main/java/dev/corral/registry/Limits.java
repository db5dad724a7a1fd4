package dev.corral.registry;

/**
 * Limits on plugin calls (plugin-sdk/ABI.md §7). Each is {@code null} when the manifest leaves it
 * to the host's default; the host also clamps each to its own ceiling.
 *
 * @param deadlineMs     wall-clock deadline per call, 1..60000
 * @param maxMemoryPages 64 KiB pages, 1..16384
 * @param maxOutputBytes bytes of output per call, 1..1 GiB
 * @param maxInstances   instances in a plugin's pool, 1..64
 */
public record Limits(Integer deadlineMs, Integer maxMemoryPages, Integer maxOutputBytes, Integer maxInstances) {
    public static final Limits NONE = new Limits(null, null, null, null);

    /** These limits, with each one left unset taken from {@code fallback} (a step's over its model's). */
    public Limits orElse(Limits fallback) {
        return new Limits(
                deadlineMs != null ? deadlineMs : fallback.deadlineMs,
                maxMemoryPages != null ? maxMemoryPages : fallback.maxMemoryPages,
                maxOutputBytes != null ? maxOutputBytes : fallback.maxOutputBytes,
                maxInstances != null ? maxInstances : fallback.maxInstances);
    }
}
