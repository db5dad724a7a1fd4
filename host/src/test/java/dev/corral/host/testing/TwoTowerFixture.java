package dev.corral.host.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.registry.Sha256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synthetic two-tower (CLIP-shaped) zero-shot classifier whose answers are known by
 * construction: the image tower's embedding is the image's mean colour (R, G, B in [0,1]), the
 * text tower's is the mean of its words' vectors, where "red", "green" and "blue" are the unit
 * vectors of their channels and every other word is zero. So a red image is closest to any text
 * that names red and no other colour.
 *
 * <p>{@link #write} lays out a model folder the way a user would for a real CLIP export: two ONNX
 * files (written by {@link OnnxModelWriter}), a Hugging Face {@code tokenizer.json} (WordLevel,
 * whitespace pre-tokenizer, lowercase) and a {@code model.json} with every file's sha256:
 * imagenet-preprocess → model {@code image_encoder} → text-tokenize (list mode on {@code texts})
 * → model {@code text_encoder} → similarity-rank (softmax, logit scale 100, texts as labels).
 */
public final class TwoTowerFixture {
    /** The vocabulary, id = position: [PAD] 0, [UNK] 1, then words. */
    public static final List<String> VOCABULARY =
            List.of("[PAD]", "[UNK]", "a", "photo", "of", "red", "green", "blue", "the", "colour");
    /** The width of both towers' embeddings. */
    public static final int WIDTH = 3;
    /** The manifest's options: {@code top_k} (integer, 1..64, no default: all labels). */
    public static final String TOP_K = "top_k";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TwoTowerFixture() {
    }

    /**
     * Writes the model folder {@code modelsDir/name/} (created if needed) and returns it.
     *
     * @throws UncheckedIOException when a file cannot be written
     */
    public static Path write(Path modelsDir, String name) {
        Path folder = modelsDir.resolve(name);
        try {
            Files.createDirectories(folder);
            imageEncoder().write(folder.resolve("image_encoder.onnx"));
            textEncoder().write(folder.resolve("text_encoder.onnx"));
            Files.writeString(folder.resolve("tokenizer.json"), JSON.writeValueAsString(tokenizer()));
            Files.writeString(folder.resolve("model.json"), manifest(folder, name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the two-tower fixture to " + folder, e);
        }
        return folder;
    }

    /** An image of one colour, uint8 [height, width, 3] as the host decodes images. */
    public static Tensor solidImage(int height, int width, int red, int green, int blue) {
        byte[] pixels = new byte[height * width * 3];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = (byte) red;
            pixels[i + 1] = (byte) green;
            pixels[i + 2] = (byte) blue;
        }
        return Tensor.of(DType.UINT8, new long[] {height, width, 3}, pixels);
    }

    /** pixel_values float32 [1,3,H,W] → ReduceMean over H and W → image_embeds [1,3]. */
    private static OnnxModelWriter imageEncoder() {
        return new OnnxModelWriter("image_encoder")
                .input("pixel_values", DType.FLOAT32, 1, 3, "height", "width")
                .node("ReduceMean", List.of("pixel_values"), List.of("image_embeds"),
                        OnnxModelWriter.ints("axes", 2, 3), OnnxModelWriter.integer("keepdims", 0))
                .output("image_embeds", DType.FLOAT32, 1, WIDTH);
    }

    /** input_ids int64 [N,S] → Gather(word vectors) [N,S,3] → ReduceMean over S → text_embeds [N,3]. */
    private static OnnxModelWriter textEncoder() {
        float[] vectors = new float[VOCABULARY.size() * WIDTH];
        List<String> colours = List.of("red", "green", "blue");
        for (int channel = 0; channel < colours.size(); channel++) {
            vectors[VOCABULARY.indexOf(colours.get(channel)) * WIDTH + channel] = 1;
        }
        return new OnnxModelWriter("text_encoder")
                .input("input_ids", DType.INT64, "batch", "sequence")
                .initializer("word_vectors", new long[] {VOCABULARY.size(), WIDTH}, vectors)
                .node("Gather", List.of("word_vectors", "input_ids"), List.of("token_vectors"),
                        OnnxModelWriter.integer("axis", 0))
                .node("ReduceMean", List.of("token_vectors"), List.of("text_embeds"),
                        OnnxModelWriter.ints("axes", 1), OnnxModelWriter.integer("keepdims", 0))
                .output("text_embeds", DType.FLOAT32, "batch", WIDTH);
    }

    /** A Hugging Face tokenizer.json: WordLevel over {@link #VOCABULARY}, lowercase, split on whitespace. */
    private static Map<String, Object> tokenizer() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < VOCABULARY.size(); id++) {
            vocab.put(VOCABULARY.get(id), id);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", List.of(special(0, "[PAD]"), special(1, "[UNK]")));
        root.put("normalizer", Map.of("type", "Lowercase"));
        root.put("pre_tokenizer", Map.of("type", "Whitespace"));
        root.put("post_processor", null);
        root.put("decoder", null);
        root.put("model", Map.of("type", "WordLevel", "vocab", vocab, "unk_token", "[UNK]"));
        return root;
    }

    private static Map<String, Object> special(int id, String content) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", id);
        token.put("content", content);
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", false);
        token.put("special", true);
        return token;
    }

    private static String manifest(Path folder, String name) throws IOException {
        return """
                {
                  "name": "%s", "version": "1", "task": "zero-shot-classification",
                  "description": "A synthetic two-tower model: the image's mean colour against the colour words of each text (test fixture)",
                  "files": {
                    "image_encoder": {"path": "image_encoder.onnx", "sha256": "%s"},
                    "text_encoder":  {"path": "text_encoder.onnx",  "sha256": "%s"},
                    "tokenizer":     {"path": "tokenizer.json",     "sha256": "%s"}
                  },
                  "input": {"kind": "multimodal"},
                  "tokenizer": {"file": "tokenizer"},
                  "pipeline": [
                    {"name": "preprocess", "plugin": "imagenet-preprocess", "entry": "preprocess",
                     "config": {"resize": 8, "crop": 8, "mean": [0, 0, 0], "std": [1, 1, 1], "output_name": "pixel_values"}},
                    {"name": "image_encoder", "model": "image_encoder"},
                    {"name": "tokenize", "plugin": "text-tokenize", "entry": "tokenize", "capabilities": ["tokenizer"],
                     "config": {"input_list": "texts", "add_special_tokens": 0, "max_length": 16}},
                    {"name": "text_encoder", "model": "text_encoder"},
                    {"name": "rank", "plugin": "similarity-rank", "entry": "rank",
                     "config": {"query": "image_embeds", "candidates": "text_embeds", "mode": "softmax",
                                "logit_scale": 100, "item_texts": "texts", "text_key": "label"}}
                  ],
                  "options": {"%s": {"type": "integer", "min": 1, "max": 64, "description": "the best k labels (default: all)"}},
                  "engine": {"device": "cpu", "intra_op_threads": 1}
                }
                """.formatted(name, Sha256.of(folder.resolve("image_encoder.onnx")),
                Sha256.of(folder.resolve("text_encoder.onnx")), Sha256.of(folder.resolve("tokenizer.json")), TOP_K);
    }
}
