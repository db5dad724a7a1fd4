package dev.corral.host.sandbox;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lends a plugin's instances to one call at a time. A semaphore of {@code maxInstances}
 * permits bounds both concurrency and the number of instances: an instance is created only by
 * a permit holder who finds no idle one, and is put back before its permit is released.
 * Idle instances are reused last-in first-out, so the warmest one serves the next call.
 */
final class InstancePool {
    /** How long a client told "busy" should wait before retrying. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final PluginDefinition plugin;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<PluginInstance> idle = new ConcurrentLinkedDeque<>();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong discarded = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private volatile boolean closed;

    InstancePool(PluginDefinition plugin) {
        this.plugin = plugin;
        this.permits = new Semaphore(plugin.limits().maxInstances());
    }

    /**
     * An idle instance, or a new one. Waits for a free one at most the plugin's deadline.
     *
     * @throws ServingException QUEUE_FULL when every instance stayed busy for the whole deadline;
     *                          the kinds of {@link GuestCall} when a new instance fails to start
     */
    PluginInstance acquire() {
        if (closed) {
            throw new ServingException(ErrorKind.MODEL_NOT_READY, "plugin '" + plugin.name() + "' is closed");
        }
        Duration wait = plugin.limits().deadline();
        try {
            if (!permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ServingException(ErrorKind.QUEUE_FULL, "plugin '" + plugin.name() + "' is busy: all "
                        + plugin.limits().maxInstances() + " instances stayed in use for " + wait.toMillis() + " ms",
                        RETRY_AFTER, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServingException(ErrorKind.INTERNAL, "plugin '" + plugin.name()
                    + "': interrupted while waiting for an instance", e);
        }
        PluginInstance instance = idle.pollFirst();
        if (instance != null) {
            return instance;
        }
        try {
            instance = PluginInstance.create(plugin);
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
        created.incrementAndGet();
        live.incrementAndGet();
        return instance;
    }

    /** Takes an instance back after a call; a broken one is dropped. */
    void release(PluginInstance instance) {
        if (instance.broken()) {
            discarded.incrementAndGet();
            live.decrementAndGet();
        } else if (closed) {
            live.decrementAndGet();
        } else {
            idle.offerFirst(instance);
        }
        permits.release();
    }

    void close() {
        closed = true;
        for (PluginInstance i; (i = idle.pollFirst()) != null; ) {
            live.decrementAndGet();
        }
    }

    long created() {
        return created.get();
    }

    long discarded() {
        return discarded.get();
    }

    long live() {
        return live.get();
    }

    int idle() {
        return idle.size();
    }
}
