package dev.corral.registry;

/** What a model does; the host picks the HTTP surface and the result's shape by it. */
public enum ModelTask {
    IMAGE_CLASSIFICATION,
    OBJECT_DETECTION,
    OCR,
    TEXT_GENERATION,
    TEXT_EMBEDDING,
    TEXT_CLASSIFICATION,
    /** Image + text query: detections ranked by how well their labels match the text. */
    GROUNDING,
    /** Image + text query: the document's OCR lines ranked by how well they match the text. */
    DOCUMENT_QUERY,
    /** Image + candidate texts: a two-tower (CLIP-shaped) model's softmax over the candidates. */
    ZERO_SHOT_CLASSIFICATION,
    MULTIMODAL;

    /** The name used in manifests, e.g. {@code image-classification}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
