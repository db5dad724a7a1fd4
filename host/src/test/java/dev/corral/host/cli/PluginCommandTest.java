package dev.corral.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.registry.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code corral plugin check|run|bench} on the built-in imagenet-preprocess plugin and the WAT fixtures. */
class PluginCommandTest {
    private static final Path CHELSEA = Path.of("/work/shared/testdata/images/chelsea.png");

    @TempDir
    static Path dir;
    private static Path imagenet;

    @BeforeAll
    static void writeBuiltIn() throws IOException {
        imagenet = dir.resolve("imagenet-preprocess.wasm");
        try (InputStream in = PluginCommandTest.class.getResourceAsStream(
                "/corral/plugins/imagenet-preprocess/imagenet-preprocess.wasm")) {
            Files.write(imagenet, in.readAllBytes());
        }
    }

    private record Result(int code, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Result plugin(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PluginCommand.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String fixture(String name) {
        return Path.of("src/test/resources/plugins", name + ".wasm").toString();
    }

    @Test
    void checkAcceptsTheBuiltInAndReportsWhatItDeclares() throws IOException {
        Result r = plugin("check", imagenet.toString(), "--entry", "preprocess");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("sha256: " + Sha256.of(imagenet)), r.out());
        assertTrue(r.out().contains("size: " + Files.size(imagenet) + " bytes"), r.out());
        assertTrue(r.out().contains("preprocess  function () -> i32  — entry point"), r.out());
        assertTrue(r.out().contains("corral.input_read  (i32, i32, i32, i32) -> i32  — provided"), r.out());
        assertTrue(r.out().contains("corral_abi_version(): 1"), r.out());
        assertTrue(r.out().contains("memory: 2 pages initial"), r.out());
        assertTrue(r.lastLine().startsWith("verdict: OK"), r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "import_wasi|imports wasi_snapshot_preview1.fd_write, which Corral does not provide",
        "simd|uses SIMD",
        "no_memory_export|does not export its memory as \"memory\"",
        "abi_version_2|declares ABI version 2",
        "no_abi_version|does not export the ABI version export 'corral_abi_version'",
    })
    void checkRefusesWithTheLoadersReason(String fixture, String reason) {
        Result r = plugin("check", fixture(fixture));
        assertEquals(1, r.code(), r.out());
        assertTrue(r.lastLine().startsWith("verdict: REFUSED — plugin '" + fixture + ".wasm' "), r.out());
        assertTrue(r.lastLine().contains(reason), r.out());
    }

    @Test
    void checkMarksAnImportTheHostDoesNotProvide() {
        Result r = plugin("check", fixture("import_wasi"));
        assertTrue(r.out().contains("wasi_snapshot_preview1.fd_write  (i32, i32, i32, i32) -> i32  — unknown to this host"),
                r.out());
    }

    @Test
    void checkNamesAnEntryPointTheModuleLacks() {
        Result r = plugin("check", imagenet.toString(), "--entry", "postprocess");
        assertEquals(1, r.code());
        assertTrue(r.lastLine().contains("does not export entry point 'postprocess'"), r.out());
    }

    @Test
    void checkRefusesBytesThatAreNotWebAssembly() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.wasm"), "not a module");
        Result r = plugin("check", junk.toString());
        assertEquals(1, r.code());
        assertTrue(r.lastLine().startsWith("verdict: REFUSED — plugin 'junk.wasm' is not a valid WebAssembly module"),
                r.out());
    }

    @Test
    void runPreprocessesARealImage() {
        Result r = plugin("run", imagenet.toString(), "--entry", "preprocess", "--image", CHELSEA.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  input float32[1,3,224,224] min "), r.out());
        assertTrue(r.out().contains("json: none"), r.out());
        assertTrue(r.out().contains("(preprocess, compiled, first call after load)"), r.out());
    }

    @Test
    void runPassesConfigToThePlugin() {
        Result r = plugin("run", imagenet.toString(), "--entry", "preprocess", "--image", CHELSEA.toString(),
                "--config", "resize=40", "--config", "crop=32", "--config", "output_name=pixels", "--interpreted");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  pixels float32[1,3,32,32] min "), r.out());
        assertTrue(r.out().contains("interpreted"), r.out());
    }

    @Test
    void runSummarisesTensorsAndPrettyPrintsJson() {
        Result r = plugin("run", fixture("outputs"), "--entry", "valid");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  a float32[2,2] min 1 max 4 mean 2.5 [1, 2, 3, 4]"), r.out());
        assertTrue(r.out().contains("\"label\" : \"cat\""), r.out());
    }

    @Test
    void configAndOptionValuesKeepTheirTypes() throws IOException {
        Path text = Files.writeString(dir.resolve("s.txt"), "hello world");
        Result r = plugin("run", fixture("params"), "--config", "n=7", "--option", "x=1.5",
                "--config", "s=@" + text, "--config", "v=1,2,3", "--option", "s=abc");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  config_n int64[] min 7 max 7"), r.out());
        assertTrue(r.out().contains("  option_x float64[] min 1.5 max 1.5"), r.out());
        assertTrue(r.out().contains("  config_s_len int32[] min 11 "), r.out());
        assertTrue(r.out().contains("  option_s_len int32[] min 3 "), r.out());
        assertTrue(r.out().contains("  config_v_len int32[] min 3 "), r.out());
    }

    @Test
    void runReportsThePluginsErrorLikeTheServer() {
        Result r = plugin("run", imagenet.toString(), "--entry", "preprocess", "--text", "no image here");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: invalid_input (HTTP 422): "), r.err());
        assertTrue(r.err().contains("input 'image' is missing"), r.err());
    }

    @Test
    void runReadsARawTensorFile() throws IOException {
        Path data = Files.write(dir.resolve("image.bin"), new byte[2 * 2 * 3]);
        Result r = plugin("run", imagenet.toString(), "--entry", "preprocess",
                "--tensor", "image=uint8:2,2,3:" + data, "--config", "resize=2", "--config", "crop=2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  input float32[1,3,2,2] "), r.out());
    }

    @Test
    void benchTimesBothModes() {
        Result r = plugin("bench", imagenet.toString(), "--entry", "preprocess", "--image", CHELSEA.toString(),
                "--config", "resize=32", "--config", "crop=24", "--seconds", "0.2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("compiled:"), r.out());
        assertTrue(r.out().contains("interpreted:"), r.out());
        assertTrue(r.lastLine().matches("compiled is [0-9.]+x faster per call than interpreted"), r.out());
    }

    @Test
    void mistakesOnTheCommandLineExitWithUsage() {
        List<Result> results = new ArrayList<>();
        results.add(plugin());
        results.add(plugin("lint", imagenet.toString()));
        results.add(plugin("check"));
        results.add(plugin("run", imagenet.toString(), "--config", "novalue"));
        results.add(plugin("run", imagenet.toString(), "--tensor", "x=float16:1:f.bin"));
        results.add(plugin("bench", imagenet.toString(), "--seconds", "0"));
        for (Result r : results) {
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("usage: corral plugin check FILE.wasm"), r.err());
        }
        assertTrue(results.get(3).err().contains("--config must be key=value, got 'novalue'"), results.get(3).err());
        assertTrue(results.get(4).err().contains("unknown dtype 'float16'"), results.get(4).err());
    }
}
