package dev.corral.host.serving;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The plugins shipped with Corral (module {@code plugins/}), read from the classpath as
 * {@code corral/plugins/NAME/NAME.wasm}. They are trusted to be what the build put there, but
 * the sandbox still hashes and validates them like any other module.
 */
public final class BuiltinPlugins {
    private BuiltinPlugins() {
    }

    /** The module's bytes, or null when no built-in plugin has that name. */
    public static byte[] read(String name) {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            return null;
        }
        String resource = "corral/plugins/" + name + "/" + name + ".wasm";
        try (InputStream in = BuiltinPlugins.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in plugin " + resource, e);
        }
    }
}
