package dev.corral.host.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The renderer on hand-made results: outlines where the boxes are, captions inside the image, bad shapes skipped. */
class ResultRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GREY = 0x808080;

    @Test
    void aBoxIsOutlinedAndTheRestOfTheImageIsUntouched() throws Exception {
        BufferedImage out = render(200, 100, "{\"detections\":[{\"label\":\"cup\",\"score\":0.9,\"box\":[50,40,150,90]}]}");
        assertEquals(200, out.getWidth());
        assertEquals(100, out.getHeight());
        assertNotEquals(GREY, out.getRGB(50, 60) & 0xFFFFFF, "left edge");
        assertNotEquals(GREY, out.getRGB(100, 90) & 0xFFFFFF, "bottom edge");
        assertEquals(GREY, out.getRGB(100, 65) & 0xFFFFFF, "inside the box");
        assertEquals(GREY, out.getRGB(190, 5) & 0xFFFFFF, "far corner");
    }

    @Test
    void aCaptionAtTheEdgeStaysInsideAndQuadsAreDrawn() throws Exception {
        BufferedImage out = render(120, 60, "{\"lines\":[{\"text\":\"edge\",\"confidence\":0.9,"
                + "\"box\":[[100,50],[119,50],[119,59],[100,59]]}]}");
        boolean inked = false;
        for (int x = 60; x < 120; x++) {
            inked |= (out.getRGB(x, 55) & 0xFFFFFF) != GREY;
        }
        assertEquals(true, inked, "the tag is pulled back into the image");
    }

    @Test
    void shapesThatCannotBeDrawnAreSkipped() throws Exception {
        BufferedImage out = render(40, 40, "{\"detections\":[{\"label\":\"x\",\"box\":[1,2,3]},"
                + "{\"label\":\"y\",\"box\":\"nope\"},{\"box\":[[1,2],[3]]}],\"other\":1}");
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                assertEquals(GREY, out.getRGB(x, y) & 0xFFFFFF);
            }
        }
    }

    @Test
    void everyPrintableCharacterHasItsOwnGlyphOrTheQuestionMark() {
        assertFalse(Arrays.equals(BitmapFont.glyph('A'), BitmapFont.glyph('B')));
        assertArrayEquals(BitmapFont.glyph('a'), BitmapFont.glyph('A'));
        assertArrayEquals(BitmapFont.glyph('?'), BitmapFont.glyph('é'));
        int[] space = BitmapFont.glyph(' ');
        for (char c = '!'; c <= '~'; c++) {
            assertFalse(Arrays.equals(space, BitmapFont.glyph(c)), "'" + c + "' draws nothing");
        }
    }

    private static BufferedImage render(int w, int h, String result) throws Exception {
        byte[] pixels = new byte[w * h * 3];
        Arrays.fill(pixels, (byte) 0x80);
        Tensor image = Tensor.of(DType.UINT8, new long[] {h, w, 3}, pixels);
        return ImageIO.read(new ByteArrayInputStream(ResultRenderer.renderPng(image, JSON.readTree(result))));
    }
}
