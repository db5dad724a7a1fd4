package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetches through a real mirror folder and a real local HTTP server. */
class ModelFetcherTest {
    private static final byte[] WEIGHTS = "pretend onnx weights".repeat(1000).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    private HttpServer server;
    private final AtomicInteger downloads = new AtomicInteger();
    private volatile byte[] served = WEIGHTS;
    private Path mirror;
    private Path dest;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/files/toy.onnx", exchange -> {
            downloads.incrementAndGet();
            respond(exchange, 200, served);
        });
        server.createContext("/old/toy.onnx", exchange -> {
            exchange.getResponseHeaders().add("Location", "/files/toy.onnx");
            respond(exchange, 302, new byte[0]);
        });
        server.createContext("/", exchange -> respond(exchange, 404, "not here".getBytes(StandardCharsets.UTF_8)));
        server.start();
        mirror = Files.createDirectories(tmp.resolve("mirror"));
        dest = tmp.resolve("models/toy");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** A catalog whose one model, {@code toy}, has one file with the given url. */
    private Catalog catalog(String url) throws Exception {
        Path file = Files.writeString(tmp.resolve("catalog.json"), """
                {"models": {"toy": {"files": [
                  {"path": "weights/toy.onnx", "sha256": "%s", "size": %d, "license": "MIT",
                   "url": "%s", "mirror": "toy-1/toy.onnx"}]}}}
                """.formatted(Sha256.of(WEIGHTS), WEIGHTS.length, url));
        return Catalog.load(file);
    }

    private Path mirrorCopy(byte[] bytes) throws IOException {
        Path copy = mirror.resolve("toy-1/toy.onnx");
        Files.createDirectories(copy.getParent());
        return Files.write(copy, bytes);
    }

    private void assertNothingInstalled() throws IOException {
        assertFalse(Files.exists(dest.resolve("weights/toy.onnx")));
        if (Files.isDirectory(dest.resolve("weights"))) {
            try (Stream<Path> left = Files.list(dest.resolve("weights"))) {
                assertEquals(List.of(), left.toList(), "no temporary file is left behind");
            }
        }
    }

    @Test
    void copiesFromTheMirror() throws Exception {
        Path copy = mirrorCopy(WEIGHTS);
        FetchReport report = new ModelFetcher(catalog(url("/files/toy.onnx")), mirror, ModelFetcher.defaultHttpClient())
                .fetch("toy", dest);

        assertEquals(List.of(new FetchReport.Item("weights/toy.onnx", FetchReport.Source.MIRROR, copy.toString(),
                WEIGHTS.length)), report.files());
        assertArrayEquals(WEIGHTS, Files.readAllBytes(dest.resolve("weights/toy.onnx")));
        assertEquals(0, downloads.get());
        try (Stream<Path> files = Files.list(dest.resolve("weights"))) {
            assertEquals(1, files.count(), "only the installed file, no temporary one");
        }
    }

    @Test
    void downloadsWhenNoMirrorIsGiven() throws Exception {
        FetchReport report = new ModelFetcher(catalog(url("/files/toy.onnx")), null, ModelFetcher.defaultHttpClient())
                .fetch("toy", dest);

        assertEquals(FetchReport.Source.DOWNLOAD, report.files().get(0).source());
        assertEquals(url("/files/toy.onnx"), report.files().get(0).from());
        assertArrayEquals(WEIGHTS, Files.readAllBytes(dest.resolve("weights/toy.onnx")));
        assertEquals(1, downloads.get());
    }

    @Test
    void downloadsWhenTheMirrorLacksTheFileAndFollowsRedirects() throws Exception {
        FetchReport report = new ModelFetcher(catalog(url("/old/toy.onnx")), mirror, ModelFetcher.defaultHttpClient())
                .fetch("toy", dest);

        assertEquals(FetchReport.Source.DOWNLOAD, report.files().get(0).source());
        assertArrayEquals(WEIGHTS, Files.readAllBytes(dest.resolve("weights/toy.onnx")));
    }

    @Test
    void skipsAFileAlreadyPresentAndReplacesADamagedOne() throws Exception {
        ModelFetcher fetcher = new ModelFetcher(catalog(url("/files/toy.onnx")), null, ModelFetcher.defaultHttpClient());
        fetcher.fetch("toy", dest);
        FetchReport again = fetcher.fetch("toy", dest);
        assertEquals(FetchReport.Source.ALREADY_PRESENT, again.files().get(0).source());
        assertEquals(1, downloads.get());
        assertTrue(again.files().get(0).describe().startsWith("weights/toy.onnx: already present"));

        Files.writeString(dest.resolve("weights/toy.onnx"), "damaged");
        assertEquals(FetchReport.Source.DOWNLOAD, fetcher.fetch("toy", dest).files().get(0).source());
        assertArrayEquals(WEIGHTS, Files.readAllBytes(dest.resolve("weights/toy.onnx")));
    }

    @Test
    void aCorruptedMirrorFileIsNotInstalled() throws Exception {
        byte[] corrupted = WEIGHTS.clone();
        corrupted[100] ^= 1;
        Path copy = mirrorCopy(corrupted);
        ModelFetcher fetcher = new ModelFetcher(catalog(url("/files/toy.onnx")), mirror, ModelFetcher.defaultHttpClient());

        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch("toy", dest));

        assertEquals("toy/weights/toy.onnx from the mirror (" + copy + "): sha256 is " + Sha256.of(corrupted)
                + ", expected " + Sha256.of(WEIGHTS) + "; the file was not installed. The mirror's copy is damaged"
                + " or another version: replace it.", e.getMessage());
        assertNothingInstalled();
        assertEquals(0, downloads.get(), "a wrong mirror file is an error, not a reason to download");
    }

    @Test
    void aWrongDownloadIsNotInstalled() throws Exception {
        served = "something else".getBytes(StandardCharsets.UTF_8);
        ModelFetcher fetcher = new ModelFetcher(catalog(url("/files/toy.onnx")), null, ModelFetcher.defaultHttpClient());

        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch("toy", dest));

        assertTrue(e.getMessage().startsWith("toy/weights/toy.onnx from " + url("/files/toy.onnx") + ": sha256 is "
                + Sha256.of(served) + ", expected " + Sha256.of(WEIGHTS)), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void neitherSourceAvailableSaysWhatWasTriedAndHowToPointAtAMirror() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String unreachable = "http://127.0.0.1:" + closedPort + "/toy.onnx";
        ModelFetcher fetcher = new ModelFetcher(catalog(unreachable), mirror, ModelFetcher.defaultHttpClient());

        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch("toy", dest));

        String message = e.getMessage();
        assertTrue(message.startsWith("toy/weights/toy.onnx: no source could provide the file. Tried: mirror "
                + mirror.resolve("toy-1/toy.onnx") + ": not found; upstream " + unreachable + ": "), message);
        assertTrue(message.endsWith("Point at a folder that holds the model files with --mirror DIR or the"
                + " environment variable CORRAL_MODEL_MIRROR."), message);
        assertNothingInstalled();
    }

    @Test
    void anUpstreamErrorStatusIsReported() throws Exception {
        ModelFetcher fetcher = new ModelFetcher(catalog(url("/missing.onnx")), null, ModelFetcher.defaultHttpClient());
        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch("toy", dest));
        assertTrue(e.getMessage().contains("mirror: none given; upstream " + url("/missing.onnx")
                + ": java.io.IOException: HTTP 404."), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void unknownModelNamesTheCatalogsModels() throws Exception {
        ModelFetcher fetcher = new ModelFetcher(catalog(url("/files/toy.onnx")), null, ModelFetcher.defaultHttpClient());
        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch("toys", dest));
        assertTrue(e.getMessage().endsWith("has no model 'toys' (it has: toy)"), e.getMessage());
    }

    @Test
    void fetchesTheRealMobilenetFromTheSharedMirror() throws Exception {
        Path shared = ProjectPaths.mirror().orElseThrow(() -> new AssertionError("no model mirror (../shared/models)"));
        Path modelDir = Files.createDirectories(tmp.resolve("models/mobilenetv2"));
        Files.copy(ProjectPaths.models().resolve("mobilenetv2/model.json"), modelDir.resolve("model.json"));
        Catalog catalog = Catalog.load(ProjectPaths.models().resolve("catalog.json"));

        FetchReport report = new ModelFetcher(catalog, shared, ModelFetcher.defaultHttpClient())
                .fetch("mobilenetv2", modelDir);

        assertTrue(report.files().stream().allMatch(f -> f.source() == FetchReport.Source.MIRROR), report.toString());
        ModelManifest manifest = ManifestParser.parse(modelDir.resolve("model.json"));
        assertDoesNotThrow(() -> FileVerifier.verify(manifest));
    }
}
