package dev.corral.host.sandbox;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces deadlines by interrupting the calling thread; Chicory checks the interrupt at calls
 * and branches and throws {@code ChicoryInterruptedException}. One daemon thread serves all
 * plugins of a runtime.
 */
final class Watchdog implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    Watchdog() {
        timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "corral-plugin-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Starts the clock for the current thread. */
    Deadline arm(Duration limit) {
        Deadline deadline = new Deadline(Thread.currentThread());
        deadline.timer = timer.schedule(deadline::fire, limit.toNanos(), TimeUnit.NANOSECONDS);
        return deadline;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One armed deadline. {@link #disarm} must be called by the thread that armed it. */
    static final class Deadline {
        private static final int ARMED = 0;
        private static final int FIRING = 1;
        private static final int FIRED = 2;
        private static final int DISARMED = 3;

        private final Thread target;
        private final AtomicInteger state = new AtomicInteger(ARMED);
        private ScheduledFuture<?> timer;

        private Deadline(Thread target) {
            this.target = target;
        }

        private void fire() {
            if (state.compareAndSet(ARMED, FIRING)) {
                target.interrupt();
                state.set(FIRED);
            }
        }

        /**
         * Stops the clock. If it already fired, waits until the interrupt has been delivered and
         * clears it, so that a late interrupt never leaks into the caller.
         *
         * @return whether the deadline passed
         */
        boolean disarm() {
            if (state.compareAndSet(ARMED, DISARMED)) {
                timer.cancel(false);
                return false;
            }
            while (state.get() != FIRED) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
            return true;
        }
    }
}
