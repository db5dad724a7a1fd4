package dev.corral.host.render;

import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** An RGB picture to draw outlines and captions on, pixel by pixel (no AWT text, no fonts). */
final class Canvas {
    private final BufferedImage image;
    private final int width;
    private final int height;

    private Canvas(BufferedImage image) {
        this.image = image;
        this.width = image.getWidth();
        this.height = image.getHeight();
    }

    /** A copy of a uint8 [H,W,3] RGB tensor. */
    static Canvas of(Tensor rgb) {
        if (rgb.dtype() != DType.UINT8 || rgb.rank() != 3 || rgb.dim(2) != 3) {
            throw new IllegalArgumentException("expected a uint8 [H,W,3] image, got " + rgb);
        }
        int h = (int) rgb.dim(0);
        int w = (int) rgb.dim(1);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        ByteBuffer data = rgb.data();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int at = (y * w + x) * 3;
                row[x] = (data.get(at) & 0xff) << 16 | (data.get(at + 1) & 0xff) << 8 | (data.get(at + 2) & 0xff);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return new Canvas(img);
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    void fill(int x0, int y0, int x1, int y1, int rgb) {
        for (int y = Math.max(0, y0); y < Math.min(height, y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(width, x1); x++) {
                image.setRGB(x, y, rgb);
            }
        }
    }

    /** A straight line of the given thickness (a square brush along Bresenham's path). */
    void line(double fx0, double fy0, double fx1, double fy1, int thickness, int rgb) {
        int x0 = (int) Math.round(fx0);
        int y0 = (int) Math.round(fy0);
        int x1 = (int) Math.round(fx1);
        int y1 = (int) Math.round(fy1);
        int dx = Math.abs(x1 - x0);
        int dy = -Math.abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1;
        int sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        int half = thickness / 2;
        while (true) {
            fill(x0 - half, y0 - half, x0 - half + thickness, y0 - half + thickness, rgb);
            if (x0 == x1 && y0 == y1) {
                return;
            }
            int e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                x0 += sx;
            }
            if (e2 <= dx) {
                err += dx;
                y0 += sy;
            }
        }
    }

    /** Text in the built-in font, its top-left at (x, y), each font pixel scale × scale. */
    void text(int x, int y, String text, int scale, int rgb) {
        for (int i = 0; i < text.length(); i++) {
            int left = x + i * BitmapFont.ADVANCE * scale;
            for (int gy = 0; gy < BitmapFont.HEIGHT; gy++) {
                for (int gx = 0; gx < BitmapFont.WIDTH; gx++) {
                    if (BitmapFont.ink(text.charAt(i), gx, gy)) {
                        fill(left + gx * scale, y + gy * scale, left + (gx + 1) * scale, y + (gy + 1) * scale, rgb);
                    }
                }
            }
        }
    }

    byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a PNG in memory", e);
        }
        return out.toByteArray();
    }
}
