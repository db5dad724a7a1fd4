package dev.corral.host.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.TestPaths;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.ModelRepository;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request's lease keeps the model version it resolved open across a reload (swap) or a
 * removal, however long it runs; the version is closed when its last lease ends, and new
 * requests never get a closed one. Real MobileNetV2, real plugins.
 */
class ModelLeaseTest {
    private static ModelServer server;
    private static ModelManifest manifest;

    @BeforeAll
    static void load() throws Exception {
        server = new ModelServer(SandboxMode.COMPILED, 1);
        manifest = new ModelRepository(TestPaths.repoRoot().resolve("models")).load("mobilenetv2");
        server.models().load(manifest);
    }

    @AfterAll
    static void close() {
        server.close();
    }

    @Test
    void aLeasedVersionServesAcrossASwapAndClosesWhenItsLastLeaseEnds() throws Exception {
        ModelManager models = server.models();
        ModelLease first = models.lease("mobilenetv2", "image");
        ModelLease second = models.lease("mobilenetv2", "image");
        LoadedModel old = first.model();
        assertSame(old, second.model());

        models.swap(manifest);
        try (ModelLease fresh = models.lease("mobilenetv2", "image")) {
            assertNotSame(old, fresh.model(), "a request after the swap gets the new version");
            assertTrue(classifies(fresh.model()));
        }
        assertTrue(classifies(old), "the old version still serves the requests that hold it");
        first.close();
        first.close(); // a second close is harmless: it must not end the other lease
        assertFalse(old.isClosed(), "one request still holds the old version");
        assertTrue(classifies(old));
        second.close();
        assertTrue(old.isClosed(), "closed once its last request ended");
        ServingException e = assertThrows(ServingException.class, () -> classifies(old));
        assertEquals(ErrorKind.MODEL_NOT_READY, e.kind(), e.getMessage());
        assertFalse(old.users().enter(), "a closed version takes no new request");
    }

    @Test
    void anIdleVersionIsClosedAtOnceWhenReplaced() throws Exception {
        ModelManager models = server.models();
        LoadedModel before;
        try (ModelLease lease = models.lease("mobilenetv2", "image")) {
            before = lease.model();
        }
        models.swap(manifest);
        assertTrue(before.isClosed(), "no request held it");
    }

    private static boolean classifies(LoadedModel model) {
        String json = model.inferImage(Images.read("chelsea.png"), "chelsea.png", model.parseOptions(Map.of())).resultJson();
        return json.contains("\"Egyptian cat\"");
    }
}
