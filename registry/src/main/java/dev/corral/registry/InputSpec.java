package dev.corral.registry;

/**
 * What a request to the model carries. A field that does not apply to the kind (image fields of a
 * text input, text fields of an image input) cannot be written in the manifest and holds its default.
 *
 * @param kind         the kind of input, which decides the route that serves the model
 * @param maxPixels    the largest decoded image (width × height) accepted; images are refused
 *                     before decoding beyond it, so a small compressed file cannot exhaust memory
 *                     (image and multimodal inputs; default 40000000)
 * @param maxTextBytes the most UTF-8 bytes of text one item may carry (one input string, or one chat's
 *                     messages), 1..16 MiB (text and multimodal inputs; default 65536)
 * @param maxItems     the most strings one request may carry (a list of inputs runs the pipeline once
 *                     per string), 1..4096 (text and multimodal inputs; default 64)
 */
public record InputSpec(Kind kind, long maxPixels, int maxTextBytes, int maxItems) {
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    public static final int DEFAULT_MAX_TEXT_BYTES = 65_536;
    public static final int MAX_TEXT_BYTES = 16 << 20;
    public static final int DEFAULT_MAX_ITEMS = 64;
    public static final int MAX_ITEMS = 4096;

    public enum Kind {
        IMAGE, TEXT, MULTIMODAL;

        /** The name used in manifests, e.g. {@code image}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        boolean takesImages() {
            return this != TEXT;
        }

        boolean takesText() {
            return this != IMAGE;
        }
    }
}
