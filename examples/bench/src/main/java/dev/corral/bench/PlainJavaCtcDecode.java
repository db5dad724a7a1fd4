package dev.corral.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code ctc-decode} plugin's algorithm in plain Java, outside the sandbox, for comparison:
 * greedy CTC (most probable class per timestep, lowest index among equals; repeats collapsed;
 * blank class 0 dropped), a line's confidence the mean of its kept timesteps' probabilities,
 * lines trimmed of spaces and dropped when empty or below {@code dropScore}. It reads the
 * recogniser's tensor where it lies (no copy into a guest memory) and writes the same JSON shape.
 */
final class PlainJavaCtcDecode {
    /** One decoded line: its UTF-8 text, confidence and quad (x,y × 4, clockwise from top-left). */
    record Line(String text, float confidence, float[] box) {
    }

    /** The lines, and the result JSON as the plugin shapes it. */
    record Decoded(List<Line> lines, String json) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SPACE = {' '};

    private final byte[][] entries;
    private final boolean useSpace;

    /**
     * @param dictionary the dictionary file's text: one entry per line ({@code \r\n} allowed, a
     *                   final newline ends the last line); class i + 1 is line i
     */
    PlainJavaCtcDecode(String dictionary, boolean useSpace) {
        List<String> lines = new ArrayList<>(Arrays.asList(dictionary.split("\n", -1)));
        if (dictionary.endsWith("\n")) {
            lines.removeLast();
        }
        entries = new byte[lines.size()][];
        for (int i = 0; i < entries.length; i++) {
            String line = lines.get(i);
            entries[i] = (line.endsWith("\r") ? line.substring(0, line.length() - 1) : line).getBytes(StandardCharsets.UTF_8);
        }
        this.useSpace = useSpace;
    }

    /**
     * @param probabilities float32 [N,T,C]
     * @param boxes         float32 [N,4,2]
     * @throws IllegalArgumentException when C is not blank + dictionary (+ space)
     */
    Decoded decode(Tensor probabilities, Tensor boxes, double dropScore) {
        int n = (int) probabilities.dim(0);
        int steps = (int) probabilities.dim(1);
        int classes = (int) probabilities.dim(2);
        if (classes != entries.length + 1 + (useSpace ? 1 : 0)) {
            throw new IllegalArgumentException("the probabilities have " + classes + " classes; the dictionary makes "
                    + (entries.length + 1 + (useSpace ? 1 : 0)));
        }
        FloatBuffer probs = probabilities.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        FloatBuffer quads = boxes.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        List<Line> lines = new ArrayList<>();
        StringBuilder json = new StringBuilder("{\"lines\":[");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int previous;
        for (int i = 0; i < n; i++) {
            text.reset();
            double sum = 0;
            int kept = 0;
            previous = -1;
            for (int t = 0; t < steps; t++) {
                int base = (i * steps + t) * classes;
                int best = 0;
                float top = probs.get(base);
                for (int c = 1; c < classes; c++) {
                    float p = probs.get(base + c);
                    if (p > top) {
                        top = p;
                        best = c;
                    }
                }
                if (best != 0 && best != previous) {
                    sum += top;
                    kept++;
                    text.writeBytes(best <= entries.length ? entries[best - 1] : SPACE);
                }
                previous = best;
            }
            float confidence = kept == 0 ? 0f : (float) (sum / kept);
            String trimmed = trimSpaces(text.toByteArray());
            if (trimmed.isEmpty() || confidence < dropScore) {
                continue;
            }
            float[] box = new float[8];
            quads.get(i * 8, box);
            lines.add(new Line(trimmed, confidence, box));
            appendLine(json, lines.size() > 1, trimmed, confidence, box);
        }
        return new Decoded(lines, json.append("]}").toString());
    }

    /** Trims ' ', tab, CR and LF at both ends, as the plugin does, byte-wise. */
    private static String trimSpaces(byte[] utf8) {
        int a = 0;
        int b = utf8.length;
        while (a < b && isSpace(utf8[a])) {
            a++;
        }
        while (b > a && isSpace(utf8[b - 1])) {
            b--;
        }
        return new String(utf8, a, b - a, StandardCharsets.UTF_8);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static void appendLine(StringBuilder json, boolean comma, String text, float confidence, float[] box) {
        try {
            json.append(comma ? "," : "").append("{\"text\":").append(JSON.writeValueAsString(text))
                    .append(",\"confidence\":").append(confidence).append(",\"box\":[");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (int c = 0; c < 4; c++) {
            json.append(c > 0 ? ",[" : "[").append(Math.round(box[c * 2] * 10) / 10.0).append(',')
                    .append(Math.round(box[c * 2 + 1] * 10) / 10.0).append(']');
        }
        json.append("]}");
    }
}
