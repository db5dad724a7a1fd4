package dev.corral.host.serving;

import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The tensors a request puts in front of a pipeline's first step (ABI.md §4.6). */
public final class RequestTensors {
    /** A decoded image, uint8 [H, W, 3]. */
    public static final String IMAGE = "image";
    /** One string's UTF-8 bytes, uint8 [n]. */
    public static final String TEXT = "text";
    /** A chat: each message as u32 role length, role, u32 content length, content. */
    public static final String MESSAGES = "messages";
    /** Every text part of a multimodal request, as a text list: each string as u32 length, bytes. */
    public static final String TEXTS = "texts";

    private RequestTensors() {
    }

    public static Tensor text(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(DType.UINT8, new long[] {bytes.length}, bytes);
    }

    public static Tensor messages(List<ChatMessage> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ChatMessage m : messages) {
            field(out, m.role());
            field(out, m.content());
        }
        byte[] bytes = out.toByteArray();
        return Tensor.of(DType.UINT8, new long[] {bytes.length}, bytes);
    }

    /** A text list (ABI.md §4.6): the strings back to back, each as u32 LE byte length, then its UTF-8. */
    public static Tensor textList(List<String> texts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        texts.forEach(t -> field(out, t));
        byte[] bytes = out.toByteArray();
        return Tensor.of(DType.UINT8, new long[] {bytes.length}, bytes);
    }

    private static void field(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }
}
