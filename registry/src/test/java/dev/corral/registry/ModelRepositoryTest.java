package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {
    @Test
    void aBrokenManifestDoesNotHideTheOthers(@TempDir Path models) throws Exception {
        Files.createDirectories(models.resolve("mobilenetv2"));
        Files.copy(ProjectPaths.models().resolve("mobilenetv2/model.json"), models.resolve("mobilenetv2/model.json"));
        Files.createDirectories(models.resolve("broken"));
        Files.writeString(models.resolve("broken/model.json"), "{\"name\": \"broken\", ");
        Files.createDirectories(models.resolve("notes"));
        Files.writeString(models.resolve("notes/README.md"), "not a model");
        Files.writeString(models.resolve("catalog.json"), "{}");

        ModelRepository.Scan scan = new ModelRepository(models).scan();

        assertEquals(1, scan.manifests().size());
        assertEquals("mobilenetv2", scan.manifests().get(0).name());
        assertEquals(1, scan.errors().size());
        assertEquals(models.resolve("broken/model.json"), scan.errors().get(0).file());
        assertTrue(scan.errors().get(0).getMessage().contains("not valid JSON"), scan.errors().get(0).getMessage());
    }

    @Test
    void theProjectsOwnRepositoryScansClean() throws Exception {
        ModelRepository.Scan scan = new ModelRepository(ProjectPaths.models()).scan();
        assertEquals(java.util.List.of(), scan.errors());
        assertTrue(scan.manifests().stream().anyMatch(m -> m.name().equals("mobilenetv2")));
    }

    @Test
    void loadReadsOneModelByName(@TempDir Path models) throws Exception {
        ModelRepository repository = new ModelRepository(models);
        ManifestException e = assertThrows(ManifestException.class, () -> repository.load("absent"));
        assertEquals(models.resolve("absent/model.json"), e.file());
        assertThrows(NoSuchFileException.class, () -> new ModelRepository(models.resolve("nowhere")).scan());
    }
}
