package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @Test
    void theCatalogMatchesTheMirrorsSumsAndSizes() throws Exception {
        Path mirror = ProjectPaths.mirror().orElseThrow(() -> new AssertionError("no model mirror (../shared/models)"));
        Map<String, String> sums = new HashMap<>();
        for (String line : Files.readAllLines(mirror.resolve("SHA256SUMS"))) {
            String[] parts = line.split("\\s+", 2);
            sums.put(parts[1], parts[0]);
        }
        Catalog catalog = Catalog.load(ProjectPaths.models().resolve("catalog.json"));

        assertEquals(List.of("mobilenetv2", "yolox-nano", "ultraface-rfb-320", "stories260k"),
                List.copyOf(catalog.models().keySet()));
        int files = 0;
        for (Catalog.Model model : catalog.models().values()) {
            for (Catalog.File file : model.files()) {
                assertEquals(sums.get(file.mirror()), file.sha256(), "sha256 of " + file.mirror());
                assertEquals(Files.size(mirror.resolve(file.mirror())), file.size(), "size of " + file.mirror());
                files++;
            }
        }
        assertEquals(sums.size(), files, "every mirrored file is in the catalog");
    }

    @Test
    void mobilenetNamesItsUpstreamAndWhyTheMirrorDiffers() throws Exception {
        Catalog.File onnx = Catalog.load(ProjectPaths.models().resolve("catalog.json"))
                .model("mobilenetv2").files().get(0);
        assertEquals("mobilenetv2-12-int8.onnx", onnx.path());
        assertTrue(onnx.url().toString().endsWith(
                "validated/vision/classification/mobilenet/model/mobilenetv2-12-int8.onnx"), onnx.url().toString());
        assertEquals("Apache-2.0", onnx.license());
        assertNotNull(onnx.note());
        assertTrue(onnx.note().contains("re-save"), onnx.note());
    }

    @Test
    void unknownModelNamesTheKnownOnes() throws Exception {
        Catalog catalog = Catalog.load(ProjectPaths.models().resolve("catalog.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.model("resnet"));
        assertTrue(e.getMessage().contains("has no model 'resnet' (it has: mobilenetv2, yolox-nano"), e.getMessage());
    }

    @Test
    void catalogEntriesAreValidated(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("catalog.json"), """
                {"models": {"toy": {"files": [
                  {"path": "a.onnx", "sha256": "%s", "size": 3, "license": "MIT", "url": "ftp://x/a.onnx"},
                  {"path": "../b.txt", "sha256": "%s", "size": -1, "license": "MIT", "mirror": "toy/b.txt"},
                  {"path": "c.txt", "sha256": "nope", "size": 1, "license": "MIT", "licence": "MIT"}
                ]}}}
                """.formatted("a".repeat(64), "b".repeat(64)));
        CatalogException e = assertThrows(CatalogException.class, () -> Catalog.load(file));
        List<String> problems = e.problems();
        assertTrue(problems.contains("models.toy.files[0].url: expected an http(s) address, found \"ftp://x/a.onnx\""),
                e.getMessage());
        assertTrue(problems.contains("models.toy.files[1].size: expected an integer ≥ 0, found -1"), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("models.toy.files[1].path: expected a relative path")),
                e.getMessage());
        assertTrue(problems.contains("models.toy.files[2]: unknown field 'licence' (expected one of: path, sha256,"
                + " size, license, url, mirror, note)"), e.getMessage());
        assertTrue(problems.contains("models.toy.files[2]: a file needs a \"url\" or a \"mirror\" path (or both):"
                + " it has no source"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }
}
