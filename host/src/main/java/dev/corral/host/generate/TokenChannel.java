package dev.corral.host.generate;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Hands a streaming generation's steps from its loop thread to the thread writing to the client,
 * one at a time: the loop may hand over a step only once the writer has taken the previous one,
 * so it is never more than one step ahead of the client, and a client that goes away is noticed
 * at the next step rather than many steps later. {@link #end} wakes the writer at once when the
 * generation is over.
 */
public final class TokenChannel implements TokenSink {
    private static final TokenEvent END = new TokenEvent(-1, -1, "", false);

    private final LinkedBlockingQueue<TokenEvent> queue = new LinkedBlockingQueue<>();
    /** One permit: the loop takes it to hand over a step, the writer gives it back when it takes the step. */
    private final Semaphore slot = new Semaphore(1);
    private volatile boolean cancelled;
    private volatile boolean ended;

    @Override
    public void accept(TokenEvent event) throws InterruptedException {
        while (!cancelled) {
            if (slot.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                queue.add(event);
                return;
            }
        }
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    /**
     * The next step, or null when none came within the wait or the generation has ended (the
     * writer then sends a keep-alive, or finishes the stream).
     */
    public TokenEvent poll(long waitMillis) throws InterruptedException {
        TokenEvent event = ended ? queue.poll() : queue.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (event == null || event == END) {
            return null;
        }
        slot.release();
        return event;
    }

    /** The generation is over (its last step is already in the channel): wakes a waiting writer. */
    public void end() {
        ended = true;
        queue.add(END);
    }

    /** The client is gone: the loop stops before its next model step and drops what it would send. */
    public void cancel() {
        cancelled = true;
    }
}
