package dev.corral.host.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Real test images and the damaged ones that error tests need. */
public final class Images {
    private Images() {
    }

    public static byte[] read(String name) {
        try {
            return Files.readAllBytes(TestPaths.image(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first half of a real PNG: a valid header, then the data stops. */
    public static byte[] truncated(String name) {
        byte[] full = read(name);
        return Arrays.copyOf(full, full.length / 2);
    }

    /** A small image encoded in {@code format} (png, jpeg, gif, bmp). */
    public static byte[] encoded(String format, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 128);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalArgumentException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A one-colour PNG. */
    public static byte[] solidPng(int width, int height, int rgb) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A decompression bomb: a genuine 1×1 PNG whose header (IHDR, with a correct CRC) claims
     * {@code width × height} pixels. Decoding it would allocate width × height × 3 bytes.
     */
    public static byte[] pngClaiming(int width, int height) {
        byte[] png = encoded("png", 1, 1);
        ByteBuffer b = ByteBuffer.wrap(png);
        // 8-byte signature, then the IHDR chunk: length(4) "IHDR"(4) width(4) height(4) … crc(4)
        b.putInt(16, width);
        b.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return png;
    }
}
