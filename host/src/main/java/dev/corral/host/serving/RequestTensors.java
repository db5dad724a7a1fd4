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

    private static void field(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }
}
