package dev.corral.host.serving;

/** A model that cannot be served; the message says why (file, step, plugin or engine). */
public final class ModelLoadFailure extends Exception {
    public ModelLoadFailure(String message) {
        super(message);
    }
}
