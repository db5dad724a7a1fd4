package dev.corral.registry;

/** Which WebAssembly module a plugin step runs. */
public sealed interface PluginRef {
    /** A plugin that ships with Corral, e.g. {@code imagenet-preprocess}. */
    record Builtin(String name) implements PluginRef {
    }

    /**
     * A plugin shipped in the model's folder. Its sha256 is always pinned: an unpinned
     * third-party plugin is refused when the manifest is read.
     *
     * @param path   relative to the manifest's folder
     * @param sha256 64 lower-case hex digits
     */
    record ThirdParty(String path, String sha256) implements PluginRef {
    }
}
