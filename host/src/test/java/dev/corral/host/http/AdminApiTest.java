package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelBundles;
import dev.corral.host.serving.ModelServer;
import dev.corral.host.testing.HttpCalls;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.Multipart;
import dev.corral.host.testing.SharedServer;
import dev.corral.host.testing.TestPaths;
import dev.corral.registry.Catalog;
import dev.corral.registry.ModelFetcher;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API on a real server with the real MobileNetV2: off unless a token is configured,
 * token-guarded, and a bundle that fails never disturbs the version that serves.
 */
class AdminApiTest {
    private static final String TOKEN = "s3cret-admin-token";
    private static final String ONNX = "mobilenetv2-12-int8.onnx";
    private static final String LABELS = "synset.txt";
    private static final Path MOBILENET = TestPaths.repoRoot().resolve("models/mobilenetv2");

    private static ModelServer server;
    private static WebServer adminOn;
    private static WebServer adminOff;
    private static Path models;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        SharedServer.fetch(MOBILENET.getParent(), "mobilenetv2");
        models = Files.createTempDirectory("corral-admin-models");
        server = new ModelServer(SandboxMode.COMPILED, 2);
        ModelFetcher catalog = new ModelFetcher(Catalog.load(TestPaths.repoRoot().resolve("models/catalog.json")),
                TestPaths.modelMirror(), ModelFetcher.defaultHttpClient());
        AdminApi admin = new AdminApi(new ModelBundles(server.models(), models, catalog), TOKEN, 64L << 20);
        adminOn = WebServer.builder().port(0)
                .routing(r -> HttpApi.routing(r, server.models(), 16L << 20, HttpApi.DEFAULT_SSE_KEEP_ALIVE, admin))
                .build().start();
        adminOff = WebServer.builder().port(0)
                .routing(r -> HttpApi.routing(r, server.models(), 16L << 20))
                .build().start();
    }

    @AfterAll
    static void stop() {
        adminOn.stop();
        adminOff.stop();
        server.close();
    }

    @Test
    void adminRoutesAre404WhenNoTokenIsConfigured() throws Exception {
        HttpCalls.Response r = send(adminOff, "PUT", "/admin/models/x", TOKEN, bundle(manifest("x", ""), true));
        assertEquals(404, r.status());
        assertEquals("not_found", r.errorCode());
        assertEquals(404, send(adminOff, "POST", "/admin/models/x/reload", TOKEN, null).status());
    }

    @Test
    void missingOrWrongTokenIs401() throws Exception {
        HttpCalls.Response none = send(adminOn, "DELETE", "/admin/models/x", null, null);
        assertEquals(401, none.status());
        assertEquals("unauthorized", none.errorCode());
        assertTrue(none.errorMessage().contains("Authorization: Bearer"), none.errorMessage());
        HttpCalls.Response wrong = send(adminOn, "POST", "/admin/models/x/reload", TOKEN + "x", null);
        assertEquals(401, wrong.status());
        assertEquals("the admin token is wrong", wrong.errorMessage());
    }

    @Test
    void uploadedBundleServesAndABadPluginPinKeepsThePreviousVersion() throws Exception {
        HttpCalls.Response installed = send(adminOn, "PUT", "/admin/models/mnv2-b", TOKEN,
                bundle(manifest("mnv2-b", ""), true));
        assertEquals(200, installed.status(), installed.body().toString());
        assertEquals("ready", installed.body().get("state").asText());
        assertCat("mnv2-b");
        assertTrue(Files.isRegularFile(models.resolve("mnv2-b").resolve(ONNX)));

        byte[] echo = Files.readAllBytes(TestPaths.repoRoot().resolve("host/src/test/resources/plugins/echo.wasm"));
        Multipart badPin = bundle(manifest("mnv2-b", """
                {"name": "extra", "plugin": {"path": "echo.wasm", "sha256": "%s"}, "entry": "process"},
                """.formatted("00".repeat(32))), true).file("echo.wasm", "echo.wasm", "application/wasm", echo);
        HttpCalls.Response refused = send(adminOn, "PUT", "/admin/models/mnv2-b", TOKEN, badPin);
        assertEquals(422, refused.status());
        assertEquals("invalid_bundle", refused.errorCode());
        assertTrue(refused.errorMessage().contains("echo.wasm") && refused.errorMessage().contains("00".repeat(32)),
                refused.errorMessage());
        assertCat("mnv2-b");
        assertStagingIsEmpty();

        Multipart unpinned = bundle(manifest("mnv2-b", """
                {"name": "extra", "plugin": {"path": "echo.wasm"}, "entry": "process"},
                """), true).file("echo.wasm", "echo.wasm", "application/wasm", echo);
        HttpCalls.Response notPinned = send(adminOn, "PUT", "/admin/models/mnv2-b", TOKEN, unpinned);
        assertEquals(422, notPinned.status());
        assertTrue(notPinned.errorMessage().contains("not pinned"), notPinned.errorMessage());
        assertCat("mnv2-b");
    }

    @Test
    void reloadSwapsWhileRequestsRun() throws Exception {
        assertEquals(200, send(adminOn, "PUT", "/admin/models/mnv2-r", TOKEN,
                bundle(manifest("mnv2-r", ""), true)).status());
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                statuses.add(clients.submit(() -> infer("mnv2-r").status()));
            }
            HttpCalls.Response reloaded = send(adminOn, "POST", "/admin/models/mnv2-r/reload", TOKEN, null);
            for (int i = 0; i < 6; i++) {
                statuses.add(clients.submit(() -> infer("mnv2-r").status()));
            }
            assertEquals(200, reloaded.status(), reloaded.body().toString());
            for (Future<Integer> status : statuses) {
                assertEquals(200, status.get());
            }
        } finally {
            clients.shutdownNow();
        }
        assertCat("mnv2-r");

        Files.writeString(models.resolve("mnv2-r/model.json"), manifest("mnv2-r", "").replace(
                "\"task\": \"image-classification\"", "\"task\": \"image-classify\""));
        HttpCalls.Response failed = send(adminOn, "POST", "/admin/models/mnv2-r/reload", TOKEN, null);
        assertEquals(422, failed.status());
        assertTrue(failed.errorMessage().contains("task"), failed.errorMessage());
        assertCat("mnv2-r");
        JsonNode description = new HttpCalls(uri(adminOn)).get("/models/mnv2-r").body();
        assertTrue(description.get("last_reload_error").asText().contains("task"), description.toString());
    }

    @Test
    void brokenManifestIs422NamingTheField() throws Exception {
        String broken = manifest("mnv2-x", "").replace("\"kind\": \"image\"", "\"kind\": \"video\"");
        HttpCalls.Response r = send(adminOn, "PUT", "/admin/models/mnv2-x", TOKEN, bundle(broken, true));
        assertEquals(422, r.status());
        assertTrue(r.errorMessage().contains("input.kind"), r.errorMessage());
        assertEquals("model_not_found", infer("mnv2-x").errorCode());
        assertStagingIsEmpty();
    }

    @Test
    void aManifestForAnotherNameIsRefused() throws Exception {
        HttpCalls.Response r = send(adminOn, "PUT", "/admin/models/mnv2-y", TOKEN, bundle(manifest("mnv2-z", ""), true));
        assertEquals(422, r.status());
        assertTrue(r.errorMessage().contains("'mnv2-z'"), r.errorMessage());
    }

    @Test
    void filesNotUploadedComeFromTheCatalogOrAreNamedAsMissing() throws Exception {
        HttpCalls.Response missing = send(adminOn, "PUT", "/admin/models/mnv2-m", TOKEN,
                bundle(manifest("mnv2-m", ""), false));
        assertEquals(422, missing.status());
        assertTrue(missing.errorMessage().contains(ONNX) && missing.errorMessage().contains(LABELS),
                missing.errorMessage());

        String catalogued = Files.readString(MOBILENET.resolve("model.json"));
        HttpCalls.Response fetched = send(adminOn, "PUT", "/admin/models/mobilenetv2", TOKEN,
                new Multipart().file("manifest", "model.json", "application/json", catalogued.getBytes()));
        assertEquals(200, fetched.status(), fetched.body().toString());
        assertCat("mobilenetv2");
    }

    @Test
    void deleteUnloadsThenTheModelIsNotFound() throws Exception {
        assertEquals(200, send(adminOn, "PUT", "/admin/models/mnv2-d", TOKEN,
                bundle(manifest("mnv2-d", ""), true)).status());
        assertEquals(200, send(adminOn, "DELETE", "/admin/models/mnv2-d", TOKEN, null).status());
        assertEquals("model_not_found", infer("mnv2-d").errorCode());
        HttpCalls.Response again = send(adminOn, "DELETE", "/admin/models/mnv2-d", TOKEN, null);
        assertEquals(404, again.status());
        assertEquals("model_not_found", again.errorCode());
    }

    /** MobileNetV2's manifest under another name, with {@code extraStep} before its model step. */
    private static String manifest(String name, String extraStep) throws IOException {
        String original = Files.readString(MOBILENET.resolve("model.json"));
        return original.replace("\"name\": \"mobilenetv2\"", "\"name\": \"" + name + "\"")
                .replace("{\"name\": \"infer\"", extraStep + "{\"name\": \"infer\"");
    }

    private static Multipart bundle(String manifest, boolean withFiles) throws IOException {
        Multipart form = new Multipart().file("manifest", "model.json", "application/json", manifest.getBytes());
        if (withFiles) {
            form.file("file", ONNX, "application/octet-stream", Files.readAllBytes(MOBILENET.resolve(ONNX)))
                    .file("file", LABELS, "text/plain", Files.readAllBytes(MOBILENET.resolve(LABELS)));
        }
        return form;
    }

    private HttpCalls.Response infer(String model) throws IOException {
        return new HttpCalls(uri(adminOn)).postBytes("/infer/image?model=" + model, "image/png", Images.read("chelsea.png"));
    }

    private void assertCat(String model) throws IOException {
        HttpCalls.Response r = infer(model);
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("Egyptian cat", r.body().at("/result/predictions/0/label").asText());
    }

    private static void assertStagingIsEmpty() throws IOException {
        Path staging = models.resolve(".staging");
        if (Files.isDirectory(staging)) {
            try (var left = Files.list(staging)) {
                assertFalse(left.findAny().isPresent(), "a failed bundle left its staging folder");
            }
        }
    }

    private HttpCalls.Response send(WebServer to, String method, String path, String token, Multipart body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(to).resolve(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", body.contentType());
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new HttpCalls.Response(response.statusCode(), response.headers(), HttpCalls.parse(response.body()));
    }

    private static URI uri(WebServer server) {
        return URI.create("http://127.0.0.1:" + server.port());
    }
}
