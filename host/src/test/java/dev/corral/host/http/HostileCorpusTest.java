package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.pipeline.PipelineStep;
import dev.corral.host.pipeline.PluginStep;
import dev.corral.host.sandbox.PluginStats;
import dev.corral.host.sandbox.SandboxMode;
import dev.corral.host.serving.ModelServer;
import dev.corral.host.testing.HostileModels;
import dev.corral.host.testing.Images;
import dev.corral.host.testing.SharedServer;
import dev.corral.host.testing.TestPaths;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adversarial corpus of docs/security.md, run over HTTP. Each attack is a step inside
 * MobileNetV2's pipeline ({@link HostileModels}). One that loads is triggered by the request
 * option {@code attack=1}: the request must fail with the expected status and error code, and the
 * next request on the same model must classify chelsea.png as "Egyptian cat". One the host
 * refuses at load must leave its model FAILED in /health/ready with the reason, while the plain
 * mobilenetv2 beside it keeps serving. The observed table is written to
 * {@code target/hostile-corpus.md} (copied into docs/security.md), the heap numbers to
 * {@code target/hostile-heap.md}.
 */
@ServerTest
class HostileCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OUTPUT_1_MIB = "{\"max_output_bytes\": 1048576}";

    /** A hostile step triggered per request. */
    private record CallAttack(String attack, String model, String entry, String limits,
                              int status, String code, String messagePart) {
    }

    /** A hostile module the host must refuse at load; the {@code module} is a fixture or a generated file. */
    private record LoadAttack(String attack, String model, Path module, String entry, String limits,
                              String reasonPart) {
    }

    private static final List<CallAttack> CALL_ATTACKS = List.of(
            new CallAttack("infinite loop in an entry point", "spin", "spin", "{\"deadline_ms\": 300}",
                    504, "plugin_deadline_exceeded", "300 ms"),
            new CallAttack("deep recursion", "recursion", "deep_recursion", "{}", 500, "plugin_failed", "call stack exhausted"),
            new CallAttack("memory.grow to the maximum", "grow_bomb", "grow_bomb", "{\"max_memory_pages\": 64}",
                    500, "plugin_failed", "out of memory"),
            new CallAttack("huge output (2 MiB, limit 1 MiB)", "huge_output", "huge_output", OUTPUT_1_MIB,
                    500, "plugin_limit_exceeded", "1048576"),
            new CallAttack("endless output", "endless_output", "endless_output", OUTPUT_1_MIB,
                    500, "plugin_limit_exceeded", "1048576"),
            new CallAttack("lying length (uint8 [4] claiming 1000 bytes)", "lying_length", "lying_length", "{}",
                    500, "plugin_abi_violation", "1000"),
            new CallAttack("pointer past the end of memory", "bad_pointer", "bad_pointer", "{}",
                    500, "plugin_abi_violation", "memory"),
            new CallAttack("trap half-way through writing outputs", "trap_mid_output", "trap_mid_output", "{}",
                    500, "plugin_failed", "unreachable"),
            new CallAttack("garbage arguments to an import", "garbage_arguments", "garbage_arguments", "{}",
                    500, "plugin_abi_violation", "input index 2147483647"),
            new CallAttack("trap (unreachable)", "trap", "trap", "{}", 500, "plugin_failed", "unreachable"));

    private static final List<CallAttack> HEAP_ATTACKS = List.of(
            new CallAttack("trap", "heap_trap", "trap", "{\"max_instances\": 2}", 500, "plugin_failed", ""),
            new CallAttack("deadline", "heap_spin", "spin", "{\"deadline_ms\": 20, \"max_instances\": 2}",
                    504, "plugin_deadline_exceeded", ""),
            new CallAttack("memory bomb", "heap_grow", "grow_bomb", "{\"max_memory_pages\": 256, \"max_instances\": 2}",
                    500, "plugin_failed", ""));

    private static final List<LoadAttack> LOAD_ATTACKS = new ArrayList<>();
    private static final List<String> TABLE = new ArrayList<>();
    private static ModelServer server;
    private final WebClient client;

    HostileCorpusTest(WebClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        try {
            Path models = Files.createTempDirectory("corral-hostile-corpus");
            Path generated = Files.createTempDirectory("corral-hostile-modules");
            SharedServer.fetch(models, "mobilenetv2");
            Files.copy(TestPaths.repoRoot().resolve("models/mobilenetv2/model.json"),
                    models.resolve("mobilenetv2/model.json"), StandardCopyOption.REPLACE_EXISTING);
            for (CallAttack a : CALL_ATTACKS) {
                HostileModels.add(models, a.model(), "hostile", a.entry(), a.limits());
            }
            for (CallAttack a : HEAP_ATTACKS) {
                HostileModels.add(models, a.model(), "hostile", a.entry(), a.limits());
            }
            addLoadAttacks(generated);
            for (LoadAttack a : LOAD_ATTACKS) {
                HostileModels.add(models, a.model(), a.module(), a.entry(), a.limits());
            }
            server = new ModelServer(SandboxMode.COMPILED, 2);
            server.loadAll(models);
            HttpApi.routing(routing, server.models(), 16L << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addLoadAttacks(Path generated) throws IOException {
        byte[] hostile = Files.readAllBytes(fixture("hostile"));
        Path truncated = generated.resolve("truncated.wasm");
        Files.write(truncated, Arrays.copyOf(hostile, hostile.length / 2));
        Path oversized = generated.resolve("oversized.wasm");
        Files.write(oversized, withCustomSection(hostile, 50 << 20));
        LOAD_ATTACKS.addAll(List.of(
                new LoadAttack("infinite loop in the start function", "spin_start", fixture("spin_start"), "process",
                        "{\"deadline_ms\": 300}", "300 ms"),
                new LoadAttack("huge initial memory (65536 pages)", "huge_memory", fixture("huge_memory"), "process",
                        "{}", "65536"),
                new LoadAttack("no exported memory", "no_memory_export", fixture("no_memory_export"), "process",
                        "{}", "does not export its memory"),
                new LoadAttack("missing entry point", "missing_entry", fixture("hostile"), "no_such_entry",
                        "{}", "no_such_entry"),
                new LoadAttack("SIMD instructions", "simd", fixture("simd"), "process", "{}", "SIMD"),
                new LoadAttack("threads (shared memory, atomics)", "threads", fixture("threads"), "process",
                        "{}", "threads"),
                new LoadAttack("WASI imports", "wasi", fixture("import_wasi"), "process",
                        "{}", "wasi_snapshot_preview1.fd_write"),
                new LoadAttack("truncated module", "truncated", truncated, "trap", "{}", "not a valid WebAssembly"),
                new LoadAttack("50 MB module", "oversized", oversized, "trap", "{}", "module size limit")));
    }

    private static Path fixture(String name) {
        return TestPaths.repoRoot().resolve("host/src/test/resources/plugins/" + name + ".wasm");
    }

    /** The module with a custom section of {@code payload} zero bytes appended: still valid, only larger. */
    private static byte[] withCustomSection(byte[] module, int payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(module.length + payload + 16);
        out.writeBytes(module);
        byte[] name = "padding".getBytes();
        out.write(0);
        writeUnsignedLeb128(out, 1 + name.length + payload);
        out.write(name.length);
        out.writeBytes(name);
        out.writeBytes(new byte[payload]);
        return out.toByteArray();
    }

    private static void writeUnsignedLeb128(ByteArrayOutputStream out, int value) {
        do {
            int b = value & 0x7f;
            value >>>= 7;
            out.write(value == 0 ? b : b | 0x80);
        } while (value != 0);
    }

    @AfterAll
    static void close() throws IOException {
        Path table = Path.of("target/hostile-corpus.md");
        Files.createDirectories(table.getParent());
        Files.writeString(table, "| case | when | status | error code | recovered |\n|---|---|---|---|---|\n"
                + String.join("\n", TABLE) + "\n");
        server.close();
    }

    @Test
    void everyAttackFailsOnlyItsOwnRequestAndTheServerKeepsServing() throws Exception {
        List<Executable> checks = new ArrayList<>();
        for (CallAttack a : CALL_ATTACKS) {
            JsonNode error;
            int status;
            try (HttpClientResponse res = infer(a.model(), 1)) {
                status = res.status().code();
                error = JSON.readTree(res.entity().as(String.class)).path("error");
            }
            boolean recovered = classifiesChelsea(a.model());
            TABLE.add("| %s | call | %d | `%s` | %s |".formatted(a.attack(), status, error.path("code").asText(),
                    recovered ? "yes" : "no"));
            checks.add(() -> {
                assertEquals(a.status(), status, a.attack() + ": " + error);
                assertEquals(a.code(), error.path("code").asText(), a.attack() + ": " + error);
                assertTrue(error.path("message").asText().contains(a.messagePart()), a.attack() + ": " + error);
                assertTrue(recovered, a.attack() + ": the next request did not classify chelsea.png");
            });
        }
        JsonNode ready;
        int readyStatus;
        try (HttpClientResponse res = client.get("/health/ready").request()) {
            readyStatus = res.status().code();
            ready = JSON.readTree(res.entity().as(String.class));
        }
        checks.add(() -> assertEquals(503, readyStatus, "models that failed to load leave the server not ready"));
        checks.add(() -> assertEquals("ready", ready.at("/models/mobilenetv2").asText(), ready.toString()));
        for (LoadAttack a : LOAD_ATTACKS) {
            JsonNode state = ready.path("models").path(a.model());
            int status;
            JsonNode error;
            try (HttpClientResponse res = infer(a.model(), 1)) {
                status = res.status().code();
                error = JSON.readTree(res.entity().as(String.class)).path("error");
            }
            boolean recovered = classifiesChelsea("mobilenetv2");
            TABLE.add("| %s | load (%s) | %d | `%s` | %s |".formatted(a.attack(), state.path("state").asText(),
                    status, error.path("code").asText(), recovered ? "yes" : "no"));
            checks.add(() -> {
                assertEquals("failed", state.path("state").asText(), a.attack() + ": " + state);
                assertTrue(state.path("error").asText().contains(a.reasonPart()), a.attack() + ": " + state);
                assertEquals(503, status, a.attack() + ": " + error);
                assertEquals("model_not_ready", error.path("code").asText(), a.attack() + ": " + error);
                assertTrue(recovered, a.attack() + ": mobilenetv2 did not classify chelsea.png");
            });
        }
        assertAll(checks);
    }

    /**
     * 1,000 hostile calls (traps, deadlines, memory bombs, in turn) leave no garbage
     * that survives a GC beyond a generous bound, and keep each pool within max_instances.
     */
    @Test
    void aThousandHostileCallsLeaveTheHeapAndThePoolsBounded() throws Exception {
        hostileCalls(100);
        long baseline = usedHeapAfterGc();
        long start = System.nanoTime();
        hostileCalls(1000);
        double seconds = (System.nanoTime() - start) / 1e9;
        long after = usedHeapAfterGc();
        assertTrue(classifiesChelsea("heap_trap"));
        StringBuilder report = new StringBuilder("| measure | value |\n|---|---|\n")
                .append("| used heap after warm-up (100 calls), after GC | %.1f MiB |\n".formatted(baseline / 1048576.0))
                .append("| used heap after 1,000 more hostile calls, after GC | %.1f MiB |\n".formatted(after / 1048576.0))
                .append("| growth | %+.1f MiB |\n".formatted((after - baseline) / 1048576.0))
                .append("| time for the 1,000 calls (one client) | %.1f s |\n".formatted(seconds));
        List<Executable> checks = new ArrayList<>();
        for (CallAttack a : HEAP_ATTACKS) {
            PluginStats stats = hostilePluginStats(a.model());
            report.append("| `%s` plugin: calls / failures / instances created / discarded / live / idle | %d / %d / %d / %d / %d / %d |\n"
                    .formatted(a.model(), stats.calls(), stats.failures(), stats.instancesCreated(),
                            stats.instancesDiscarded(), stats.liveInstances(), stats.idleInstances()));
            checks.add(() -> assertTrue(stats.liveInstances() <= 2 && stats.idleInstances() <= 2, a.model() + ": " + stats));
            checks.add(() -> assertTrue(stats.failures() >= 300, a.model() + ": " + stats));
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/hostile-heap.md"), report);
        checks.add(() -> assertTrue(after - baseline < 64L << 20,
                "heap grew by " + (after - baseline) + " bytes over 1,000 hostile calls"));
        assertAll(checks);
    }

    private void hostileCalls(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            CallAttack a = HEAP_ATTACKS.get(i % HEAP_ATTACKS.size());
            InferImageTest.assertError(infer(a.model(), 1), a.status(), a.code());
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static PluginStats hostilePluginStats(String model) {
        for (PipelineStep step : server.models().resolve(model, "image").pipeline().steps()) {
            if (step instanceof PluginStep plugin && step.name().equals("hostile")) {
                return plugin.plugin().stats();
            }
        }
        throw new AssertionError("model " + model + " has no hostile step");
    }

    private boolean classifiesChelsea(String model) throws IOException {
        try (HttpClientResponse res = infer(model, 0)) {
            String text = res.entity().as(String.class);
            return res.status().code() == 200
                    && "Egyptian cat".equals(JSON.readTree(text).at("/result/predictions/0/label").asText());
        }
    }

    private HttpClientResponse infer(String model, int attack) {
        var request = client.post("/infer/image").queryParam("model", model)
                .header(HeaderNames.CONTENT_TYPE, "image/png");
        if (!model.equals("mobilenetv2")) {
            request.queryParam("attack", Integer.toString(attack));
        }
        return request.submit(Images.read("chelsea.png"));
    }
}
