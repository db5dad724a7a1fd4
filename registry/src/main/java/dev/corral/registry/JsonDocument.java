package dev.corral.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads registry documents: strict JSON, where a repeated key is a mistake rather than an override. */
final class JsonDocument {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonDocument() {
    }

    /** The file's text, or {@code null} after adding a problem that says why it cannot be read. */
    static String readText(Path file, Problems problems) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add("", "cannot read the file: " + e);
            return null;
        }
    }

    /** The parsed document, or {@code null} after adding a problem that says where the syntax breaks. */
    static JsonNode parse(String json, Problems problems) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || root.isMissingNode()) {
                problems.add("", "the file is empty (expected a JSON object)");
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            problems.add("", "not valid JSON" + where + ": " + e.getOriginalMessage());
            return null;
        }
    }
}
