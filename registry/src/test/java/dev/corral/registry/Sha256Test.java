package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
    @Test
    void knownDigests() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.of(new byte[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void fileIsHashedInChunksToTheSameDigest(@TempDir Path dir) throws Exception {
        byte[] bytes = new byte[300_000];
        new Random(42).nextBytes(bytes);
        Path file = Files.write(dir.resolve("blob.bin"), bytes);
        assertEquals(Sha256.of(bytes), Sha256.of(file));
    }

    @Test
    void wellFormedMeansSixtyFourLowerCaseHexDigits() {
        assertTrue(Sha256.isWellFormed("0123456789abcdef".repeat(4)));
        assertFalse(Sha256.isWellFormed("0123456789ABCDEF".repeat(4)));
        assertFalse(Sha256.isWellFormed("abc"));
        assertFalse(Sha256.isWellFormed(null));
    }
}
