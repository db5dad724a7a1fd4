package dev.corral.host.sandbox;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces deadlines by interrupting the calling thread; Chicory checks the interrupt at calls
 * and branches and throws {@code ChicoryInterruptedException}. One daemon platform thread serves
 * all plugins of a runtime.
 *
 * <p>Arming and disarming are lock-free on purpose. Guest calls run on virtual threads and a
 * spinning guest never yields its carrier: when every carrier spins, a virtual thread queued for
 * a lock (as a {@code ScheduledThreadPoolExecutor}'s queue lock) can never run, and a watchdog
 * waiting behind it on that lock would never fire the deadlines that free the carriers. The
 * watchdog therefore shares no lock with callers: it scans a lock-free queue every millisecond
 * while anything is armed, and sleeps otherwise.
 */
final class Watchdog implements AutoCloseable {
    private static final long TICK_NANOS = 1_000_000;

    private final ConcurrentLinkedQueue<Deadline> armed = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    /** True while the watchdog parks with nothing armed: only then must {@link #arm} wake it. */
    private volatile boolean sleeping;
    private volatile boolean closed;

    Watchdog() {
        thread = Thread.ofPlatform().daemon().name("corral-plugin-watchdog").start(this::watch);
    }

    /** Starts the clock for the current thread. */
    Deadline arm(Duration limit) {
        Deadline deadline = new Deadline(Thread.currentThread(), System.nanoTime() + limit.toNanos());
        armed.add(deadline);
        // While anything is armed the watchdog wakes every tick anyway: unparking it on every
        // call cost more CPU than the call itself (examples/bench abi: 17 µs per 1 MiB read).
        if (sleeping) {
            LockSupport.unpark(thread);
        }
        return deadline;
    }

    private void watch() {
        while (!closed) {
            long now = System.nanoTime();
            for (Iterator<Deadline> it = armed.iterator(); it.hasNext(); ) {
                Deadline deadline = it.next();
                if (deadline.state.get() == Deadline.DISARMED || now - deadline.due >= 0) {
                    deadline.fire();
                    it.remove();
                }
            }
            if (armed.isEmpty()) {
                // Announce the sleep, then look again: an arm() that added before this look is
                // seen here, and one that adds after it sees `sleeping` and unparks.
                sleeping = true;
                if (armed.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                sleeping = false;
            } else {
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    /** One armed deadline. {@link #disarm} must be called by the thread that armed it. */
    static final class Deadline {
        private static final int ARMED = 0;
        private static final int FIRING = 1;
        private static final int FIRED = 2;
        private static final int DISARMED = 3;

        private final Thread target;
        private final long due;
        private final AtomicInteger state = new AtomicInteger(ARMED);

        private Deadline(Thread target, long due) {
            this.target = target;
            this.due = due;
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
