package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelServer;
import dev.corral.host.testing.HostileModels;
import dev.corral.host.testing.Images;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ABI conformance seen from a client: a plugin that traps, loops forever, bombs memory, hands the
 * host a bad pointer or a lying length fails only its own request, with a clear error, and the
 * next request on the same model succeeds. A plugin importing WASI is refused at load.
 */
@ServerTest
class HostilePluginTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ModelServer server;
    private final WebClient client;

    HostilePluginTest(WebClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Path models;
        try {
            models = Files.createTempDirectory("corral-hostile-models");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HostileModels.add(models, "trap", "hostile", "trap", "{}");
        HostileModels.add(models, "spin", "hostile", "spin", "{\"deadline_ms\": 300}");
        HostileModels.add(models, "grow_bomb", "hostile", "grow_bomb", "{\"max_memory_pages\": 64}");
        HostileModels.add(models, "bad_pointer", "hostile", "bad_pointer", "{}");
        HostileModels.add(models, "lying_length", "hostile", "lying_length", "{}");
        HostileModels.add(models, "wasi", "import_wasi", "process", "{}");
        server = new ModelServer(SandboxMode.COMPILED, 2);
        server.loadAll(models);
        HttpApi.routing(routing, server.models(), 16L << 20);
    }

    @AfterAll
    static void close() {
        server.close();
    }

    @Test
    void trapIs500PluginFailedAndTheNextRequestSucceeds() throws Exception {
        assertAttackFailsThenModelServes("trap", 500, "plugin_failed", "unreachable");
    }

    @Test
    void endlessLoopIs504WithinTheDeadlineAndTheNextRequestSucceeds() throws Exception {
        long start = System.nanoTime();
        assertAttackFailsThenModelServes("spin", 504, "plugin_deadline_exceeded", "300 ms");
        // Not a speed assertion: the loop never ends by itself, so returning at all proves the
        // deadline stopped it; the generous bound only guards against a hang being reported late.
        assertTrue(System.nanoTime() - start < 60_000_000_000L);
    }

    @Test
    void memoryBombIsCappedWithAClearError() throws Exception {
        assertAttackFailsThenModelServes("grow_bomb", 500, "plugin_failed", "out of memory");
    }

    @Test
    void pointerPastMemoryIsRefused() throws Exception {
        assertAttackFailsThenModelServes("bad_pointer", 500, "plugin_abi_violation", "memory");
    }

    @Test
    void lyingLengthIsRefused() throws Exception {
        assertAttackFailsThenModelServes("lying_length", 500, "plugin_abi_violation", "1000");
    }

    @Test
    void wasiImportIsRefusedAtLoadNamingTheImport() throws Exception {
        try (HttpClientResponse res = client.get("/models/wasi").request()) {
            JsonNode model = JSON.readTree(res.entity().as(String.class));
            assertEquals("failed", model.get("state").asText());
            assertTrue(model.get("error").asText().contains("wasi_snapshot_preview1.fd_write"), model.toString());
        }
        JsonNode error = InferImageTest.assertError(infer("wasi", 0), 503, "model_not_ready");
        assertTrue(error.get("message").asText().contains("wasi_snapshot_preview1.fd_write"), error.toString());
        try (HttpClientResponse res = client.get("/health/ready").request()) {
            assertEquals(503, res.status().code(), "a model that failed to load leaves the server not ready");
        }
    }

    private void assertAttackFailsThenModelServes(String model, int status, String code, String messagePart)
            throws Exception {
        for (int round = 0; round < 2; round++) {
            JsonNode error = InferImageTest.assertError(infer(model, 1), status, code);
            assertTrue(error.get("message").asText().contains(messagePart), error.toString());
            try (HttpClientResponse res = infer(model, 0)) {
                String text = res.entity().as(String.class);
                assertEquals(200, res.status().code(), text);
                assertEquals("Egyptian cat", JSON.readTree(text).at("/result/predictions/0/label").asText());
            }
        }
    }

    private HttpClientResponse infer(String model, int attack) {
        return client.post("/infer/image")
                .queryParam("model", model)
                .queryParam("attack", Integer.toString(attack))
                .header(HeaderNames.CONTENT_TYPE, "image/png")
                .submit(Images.read("chelsea.png"));
    }
}
