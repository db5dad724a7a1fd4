package dev.corral.registry;

/** What a model does; the host picks the HTTP surface and the result's shape by it. */
public enum ModelTask {
    IMAGE_CLASSIFICATION,
    OBJECT_DETECTION,
    OCR,
    TEXT_GENERATION,
    TEXT_EMBEDDING,
    TEXT_CLASSIFICATION,
    MULTIMODAL;

    /** The name used in manifests, e.g. {@code image-classification}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
