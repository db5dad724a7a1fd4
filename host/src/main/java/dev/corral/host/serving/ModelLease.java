package dev.corral.host.serving;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's use of a model version, from {@link ModelManager#lease}: while it is open the
 * version is not closed, even if a reload swaps it out or an admin removes it. Close it when the
 * request ends (try-with-resources); closing twice is harmless.
 */
public final class ModelLease implements AutoCloseable {
    private final LoadedModel model;
    private final AtomicBoolean closed = new AtomicBoolean();

    ModelLease(LoadedModel model) {
        this.model = model;
    }

    public LoadedModel model() {
        return model;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            model.users().exit();
        }
    }
}
