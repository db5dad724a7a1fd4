package dev.corral.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.sandbox.PluginLimits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A throw-away models folder holding one model whose plugin deadline is the manifest's maximum.
 * Plugins in the interpreter run far slower than compiled ones and would miss the deadline a
 * manifest sets for real serving; the benchmark wants their time, not a 504.
 */
final class RelaxedDeadlineCopy implements AutoCloseable {
    /** The largest {@code limits.deadline_ms} a manifest may declare: the sandbox's ceiling. */
    static final long MAX_DEADLINE_MS = PluginLimits.MAX_DEADLINE.toMillis();

    private final Path root;

    RelaxedDeadlineCopy(Path modelsDir, String modelName) throws IOException {
        Path source = modelsDir.resolve(modelName);
        root = Files.createTempDirectory("corral-bench-models");
        Path target = Files.createDirectory(root.resolve(modelName));
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        Path manifest = target.resolve("model.json");
        ObjectNode model = (ObjectNode) json.readTree(manifest.toFile());
        model.withObjectProperty("limits").put("deadline_ms", MAX_DEADLINE_MS);
        json.writeValue(manifest.toFile(), model);
    }

    Path modelsDir() {
        return root;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
