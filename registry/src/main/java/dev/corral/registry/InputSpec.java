package dev.corral.registry;

/**
 * What a request to the model carries.
 *
 * @param kind      the kind of input, which decides the route that serves the model
 * @param maxPixels the largest decoded image (width × height) accepted; images are refused
 *                  before decoding beyond it, so a small compressed file cannot exhaust memory
 */
public record InputSpec(Kind kind, long maxPixels) {
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    public enum Kind {
        IMAGE, TEXT, MULTIMODAL;

        /** The name used in manifests, e.g. {@code image}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
