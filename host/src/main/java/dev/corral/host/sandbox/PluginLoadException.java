package dev.corral.host.sandbox;

/** The host refused to load a plugin (ABI.md §6, "At load"); the message names the plugin and why. */
public class PluginLoadException extends Exception {
    public PluginLoadException(String message) {
        super(message);
    }

    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
