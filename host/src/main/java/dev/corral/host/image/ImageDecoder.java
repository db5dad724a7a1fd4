package dev.corral.host.image;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns encoded image bytes (PNG, JPEG, GIF, BMP) into the tensor every image pipeline starts
 * from: uint8 [H, W, 3], RGB. The format is sniffed from the bytes, not trusted from a header.
 *
 * <p>Decompression bombs are refused from the header alone: the pixel count is checked before a
 * single pixel is decoded. Decoder warnings (a JPEG that ends early decodes "successfully"
 * with grey rows) are treated as errors, so a truncated file is a 400, never a silent guess.
 */
public final class ImageDecoder {
    static {
        // Images are decoded from byte arrays already in memory: ImageIO's default temp-file
        // cache only adds disk writes (about 2.5 ms of a chelsea.png decode).
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be ≥ 1");
        }
        this.maxPixels = maxPixels;
    }

    /**
     * Decodes one image.
     *
     * @param label names the image in error messages (a file name, or "body")
     * @throws ServingException EMPTY_BODY, INVALID_IMAGE or IMAGE_TOO_LARGE
     */
    public Tensor decode(byte[] encoded, String label) {
        if (encoded.length == 0) {
            throw new ServingException(ErrorKind.EMPTY_BODY, label + ": the image is empty (0 bytes)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            ImageReader reader = readerFor(in, label);
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkSize(width, height, label);
                reader.addIIOReadWarningListener(new FailOnWarning());
                BufferedImage image = reader.read(0);
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        } catch (ServingException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data with IOExceptions and, for some malformed files,
            // with runtime exceptions from deep inside a codec; both mean the bytes are bad.
            throw new ServingException(ErrorKind.INVALID_IMAGE,
                    label + ": cannot decode the image (" + describe(e) + ")", e);
        }
    }

    private static ImageReader readerFor(ImageInputStream in, String label) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ServingException(ErrorKind.INVALID_IMAGE,
                    label + ": not an image in a supported format (PNG, JPEG, GIF, BMP)");
        }
        return readers.next();
    }

    private void checkSize(int width, int height, String label) {
        if (width <= 0 || height <= 0) {
            throw new ServingException(ErrorKind.INVALID_IMAGE,
                    label + ": the image header gives an empty size " + width + "×" + height);
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new ServingException(ErrorKind.IMAGE_TOO_LARGE, label + ": " + width + "×" + height
                    + " = " + pixels + " pixels is over the limit of " + maxPixels + " pixels");
        }
    }

    private static Tensor toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        switch (image.getType()) {
            case BufferedImage.TYPE_3BYTE_BGR -> fromBgr(pixelBytes(image), rgb);
            case BufferedImage.TYPE_4BYTE_ABGR -> fromAbgr(pixelBytes(image), rgb);
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB -> fromPackedInts(pixelInts(image), rgb);
            default -> fromPackedInts(image.getRGB(0, 0, w, h, null, 0, w), rgb);
        }
        return Tensor.of(DType.UINT8, new long[] {h, w, 3}, rgb);
    }

    private static byte[] pixelBytes(BufferedImage image) {
        return ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    }

    private static int[] pixelInts(BufferedImage image) {
        return ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    }

    private static void fromBgr(byte[] bgr, byte[] rgb) {
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
    }

    /** Alpha is dropped, as image classifiers expect RGB. */
    private static void fromAbgr(byte[] abgr, byte[] rgb) {
        for (int s = 0, i = 0; i < rgb.length; s += 4, i += 3) {
            rgb[i] = abgr[s + 3];
            rgb[i + 1] = abgr[s + 2];
            rgb[i + 2] = abgr[s + 1];
        }
    }

    /** Packed 0xAARRGGBB (alpha ignored, as image classifiers expect RGB). */
    private static void fromPackedInts(int[] argb, byte[] rgb) {
        for (int p = 0, i = 0; p < argb.length; p++, i += 3) {
            int v = argb[p];
            rgb[i] = (byte) (v >>> 16);
            rgb[i + 1] = (byte) (v >>> 8);
            rgb[i + 2] = (byte) v;
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** A codec warning means the decoded pixels are not what the file claims to hold. */
    private static final class FailOnWarning implements IIOReadWarningListener {
        @Override
        public void warningOccurred(ImageReader source, String warning) {
            throw new CorruptImageWarning(warning);
        }
    }

    private static final class CorruptImageWarning extends RuntimeException {
        CorruptImageWarning(String message) {
            super(message);
        }
    }
}
