package dev.corral.host.generate;

/**
 * Where a token loop delivers its steps. Called on the loop's thread, one step at a time.
 */
public interface TokenSink {
    /** A sink that keeps nothing: the caller reads the whole text from the result. */
    TokenSink NONE = new TokenSink() {
        @Override
        public void accept(TokenEvent event) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    /**
     * Takes one step. May block: a streaming client's back-pressure holds the loop.
     *
     * @throws InterruptedException when the loop is being shut down
     */
    void accept(TokenEvent event) throws InterruptedException;

    /** Whether the client has gone: the loop stops before its next model step. */
    boolean cancelled();
}
