package dev.corral.host.serving;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests using one model version now. A version that is replaced or removed is retired:
 * it is closed when its last request ends (at once when it has none), never under a running
 * one — closing native sessions under a running request would be unsafe.
 */
final class ModelUsers {
    private static final int CLOSED = -1;

    /** Requests in flight, or {@link #CLOSED}. */
    private final AtomicInteger count = new AtomicInteger();
    private final Runnable close;
    private volatile boolean retired;

    /** @param close runs once, when the version is retired and idle */
    ModelUsers(Runnable close) {
        this.close = close;
    }

    /** Counts one more request; false when the version is already closed (resolve again). */
    boolean enter() {
        while (true) {
            int n = count.get();
            if (n == CLOSED) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Ends a request that {@link #enter} counted. */
    void exit() {
        if (count.decrementAndGet() == 0 && retired) {
            closeIfIdle();
        }
    }

    /** No new request will resolve this version: close it once the ones using it end. */
    void retire() {
        retired = true;
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (count.compareAndSet(0, CLOSED)) {
            close.run();
        }
    }
}
