package dev.corral.host.engine;

/** A model could not be loaded; the message names the model, the file and what was wrong. */
public class ModelLoadException extends Exception {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
