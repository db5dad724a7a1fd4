package dev.corral.bench;

import java.util.List;

/**
 * One request the vision benchmark times: a model, an image from the test images, and for a
 * multimodal model the text part (the query); {@code text} is null for {@code /infer/image} models.
 */
record VisionCase(String model, String image, String text) {
    /** The query of the document-query case: words that are on page.png. */
    static final String PAGE_QUERY = "which markers are pixels we can label";

    /** Every pipeline of the vision issue, detection first, then grounding, OCR and document query. */
    static List<VisionCase> all() {
        return List.of(
                new VisionCase("yolox-nano", "astronaut.png", null),
                new VisionCase("yolox-nano", "coffee.png", null),
                new VisionCase("ultraface-rfb-320", "astronaut.png", null),
                new VisionCase("grounding", "coffee.png", "a mug to drink from"),
                new VisionCase("ppocr-v4", "text.png", null),
                new VisionCase("ppocr-v4", "page.png", null),
                new VisionCase("document-query", "page.png", PAGE_QUERY));
    }

    boolean multimodal() {
        return text != null;
    }

    /** How tables name the case, e.g. {@code grounding / coffee.png + "a mug to drink from"}. */
    String label() {
        return model + " / " + image + (text == null ? "" : " + \"" + text + "\"");
    }
}
