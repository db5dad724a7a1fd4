package dev.corral.host.generate;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands a streaming generation's steps from its loop thread to the thread writing to the client,
 * one at a time: the loop waits while the writer is still sending the previous step, so it is
 * never more than one step ahead of the client, and a client that goes away is noticed at the
 * next step rather than many steps later.
 */
public final class TokenChannel implements TokenSink {
    private final SynchronousQueue<TokenEvent> handoff = new SynchronousQueue<>();
    private volatile boolean cancelled;

    @Override
    public void accept(TokenEvent event) throws InterruptedException {
        while (!cancelled) {
            if (handoff.offer(event, 50, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    /**
     * The next step, or null when none came within the wait (the writer sends a keep-alive, or
     * checks whether the generation has finished).
     */
    public TokenEvent poll(long waitMillis) throws InterruptedException {
        return handoff.poll(waitMillis, TimeUnit.MILLISECONDS);
    }

    /** The client is gone: the loop stops before its next model step and drops what it would send. */
    public void cancel() {
        cancelled = true;
    }
}
