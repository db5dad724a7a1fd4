package dev.corral.host.sandbox;

import java.time.Duration;

/**
 * What one plugin may use (ABI.md §7). The constructor clamps every value into
 * {@code 1 .. host ceiling}, so a manifest can lower a limit but never lift it past the host's.
 *
 * @param deadline       wall-clock time allowed per call and per instantiation
 * @param maxMemoryPages linear memory cap in 64 KiB pages
 * @param maxOutputBytes tensor data plus JSON bytes a call may write
 * @param maxInstances   instances the plugin's pool may hold, i.e. concurrent calls
 */
public record PluginLimits(Duration deadline, int maxMemoryPages, long maxOutputBytes, int maxInstances) {
    public static final Duration MAX_DEADLINE = Duration.ofMillis(60_000);
    public static final int MAX_MEMORY_PAGES = 16_384;
    public static final long MAX_OUTPUT_BYTES = 1L << 30;
    public static final int MAX_INSTANCES = 64;
    /** Largest module the host parses. */
    public static final int MAX_MODULE_BYTES = 32 << 20;

    public PluginLimits {
        if (deadline == null || deadline.compareTo(Duration.ofMillis(1)) < 0) {
            deadline = Duration.ofMillis(1);
        } else if (deadline.compareTo(MAX_DEADLINE) > 0) {
            deadline = MAX_DEADLINE;
        }
        maxMemoryPages = clamp(maxMemoryPages, MAX_MEMORY_PAGES);
        maxOutputBytes = Math.clamp(maxOutputBytes, 1, MAX_OUTPUT_BYTES);
        maxInstances = clamp(maxInstances, MAX_INSTANCES);
    }

    /** The defaults of ABI.md §7: 1 s, 1024 pages (64 MiB), 64 MiB of output, one instance per core. */
    public static PluginLimits defaults() {
        return new PluginLimits(Duration.ofMillis(1000), 1024, 64L << 20,
                Runtime.getRuntime().availableProcessors());
    }

    public PluginLimits withDeadline(Duration value) {
        return new PluginLimits(value, maxMemoryPages, maxOutputBytes, maxInstances);
    }

    public PluginLimits withMaxMemoryPages(int value) {
        return new PluginLimits(deadline, value, maxOutputBytes, maxInstances);
    }

    public PluginLimits withMaxOutputBytes(long value) {
        return new PluginLimits(deadline, maxMemoryPages, value, maxInstances);
    }

    public PluginLimits withMaxInstances(int value) {
        return new PluginLimits(deadline, maxMemoryPages, maxOutputBytes, value);
    }

    private static int clamp(int value, int ceiling) {
        return Math.clamp(value, 1, ceiling);
    }
}
