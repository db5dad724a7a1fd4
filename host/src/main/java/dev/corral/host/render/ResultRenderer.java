package dev.corral.host.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a pipeline's result on the request's image, for {@code ?render=png}: every item with a
 * box under {@code detections}, {@code lines} or {@code matches} gets its outline in a colour
 * of its label and a caption tag ("cup 0.90", an OCR line's text). The first match of a ranking
 * is drawn thicker. Items whose box is not 4 numbers or 4 points are skipped, never an error:
 * the picture shows what can be shown.
 */
public final class ResultRenderer {
    private static final String[] LISTS = {"detections", "lines", "matches"};
    /** Distinct, saturated colours that read on photos; a label keeps its colour across requests. */
    private static final int[] PALETTE = {0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4,
        0x42D4F4, 0xF032E6, 0xBFEF45, 0xFABED4, 0x469990, 0xDCBEFF, 0x9A6324, 0xFFFAC8, 0x800000, 0xAAFFC3};
    private static final int MAX_CAPTION = 48;

    private ResultRenderer() {
    }

    /**
     * The image as PNG with the result drawn on it.
     *
     * @param rgb    the decoded request image, uint8 [H,W,3]
     * @param result the pipeline's JSON result (an object)
     */
    public static byte[] renderPng(Tensor rgb, JsonNode result) {
        Canvas canvas = Canvas.of(rgb);
        int scale = Math.max(1, Math.min(canvas.width(), canvas.height()) / 300);
        List<Item> items = new ArrayList<>();
        for (String list : LISTS) {
            JsonNode array = result == null ? null : result.get(list);
            if (array != null && array.isArray()) {
                for (int i = 0; i < array.size(); i++) {
                    Item item = Item.of(array.get(i), list.equals("matches") && i == 0);
                    if (item != null) {
                        items.add(item);
                    }
                }
            }
        }
        for (Item item : items) {
            int colour = PALETTE[Math.floorMod(item.key().hashCode(), PALETTE.length)];
            int thickness = (item.emphasised() ? 2 : 1) * (scale + 1);
            double[][] p = item.corners();
            for (int k = 0; k < 4; k++) {
                canvas.line(p[k][0], p[k][1], p[(k + 1) % 4][0], p[(k + 1) % 4][1], thickness, colour);
            }
            caption(canvas, item, colour, scale);
        }
        return canvas.png();
    }

    /** A filled tag with the caption, above the box's top-left corner, kept inside the image. */
    private static void caption(Canvas canvas, Item item, int colour, int scale) {
        String text = item.caption();
        int pad = scale;
        int w = BitmapFont.width(text, scale) + 2 * pad;
        int h = BitmapFont.HEIGHT * scale + 2 * pad;
        double[] anchor = item.corners()[0];
        int x = (int) Math.round(anchor[0]);
        int y = (int) Math.round(anchor[1]) - h;
        if (y < 0) {
            y = (int) Math.round(anchor[1]);
        }
        x = Math.max(0, Math.min(x, canvas.width() - w));
        y = Math.max(0, Math.min(y, canvas.height() - h));
        canvas.fill(x, y, x + w, y + h, colour);
        canvas.text(x + pad, y + pad, text, scale, luminance(colour) > 140 ? 0x000000 : 0xFFFFFF);
    }

    private static int luminance(int rgb) {
        return (299 * (rgb >> 16 & 0xff) + 587 * (rgb >> 8 & 0xff) + 114 * (rgb & 0xff)) / 1000;
    }

    /** One drawable thing: four corners (clockwise from the top-left), a caption, a colour key. */
    private record Item(double[][] corners, String key, String caption, boolean emphasised) {
        static Item of(JsonNode node, boolean emphasised) {
            if (node == null || !node.isObject()) {
                return null;
            }
            double[][] corners = corners(node.get("box"));
            if (corners == null) {
                return null;
            }
            String name = text(node, "label");
            if (name == null) {
                name = text(node, "text");
            }
            if (name == null) {
                name = "";
            }
            String caption = name;
            Double value = number(node, node.has("similarity") ? "similarity" : node.has("score") ? "score" : "confidence");
            if (value != null) {
                caption = (name + " " + String.format(Locale.ROOT, "%.2f", value)).trim();
            }
            if (caption.length() > MAX_CAPTION) {
                caption = caption.substring(0, MAX_CAPTION - 3) + "...";
            }
            return new Item(corners, name, caption, emphasised);
        }

        /** [x1,y1,x2,y2] or [[x,y]×4]; null for anything else or a non-finite number. */
        private static double[][] corners(JsonNode box) {
            if (box == null || !box.isArray() || box.size() != 4) {
                return null;
            }
            if (box.get(0).isNumber()) {
                double[] v = new double[4];
                for (int i = 0; i < 4; i++) {
                    if (!box.get(i).isNumber() || !Double.isFinite(box.get(i).asDouble())) {
                        return null;
                    }
                    v[i] = box.get(i).asDouble();
                }
                return new double[][] {{v[0], v[1]}, {v[2], v[1]}, {v[2], v[3]}, {v[0], v[3]}};
            }
            double[][] points = new double[4][];
            for (int i = 0; i < 4; i++) {
                JsonNode p = box.get(i);
                if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()
                        || !Double.isFinite(p.get(0).asDouble()) || !Double.isFinite(p.get(1).asDouble())) {
                    return null;
                }
                points[i] = new double[] {p.get(0).asDouble(), p.get(1).asDouble()};
            }
            return points;
        }

        private static String text(JsonNode node, String key) {
            JsonNode v = node.get(key);
            return v != null && v.isTextual() ? v.asText() : null;
        }

        private static Double number(JsonNode node, String key) {
            JsonNode v = node.get(key);
            return v != null && v.isNumber() && Double.isFinite(v.asDouble()) ? v.asDouble() : null;
        }
    }
}
