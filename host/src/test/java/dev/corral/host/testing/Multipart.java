package dev.corral.host.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A multipart/form-data body built by hand, as a browser would send it. */
public final class Multipart {
    private static final String BOUNDARY = "corral-test-boundary-7d1f";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Multipart file(String field, String filename, String type, byte[] content) {
        head("Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + type);
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    /** A text field with an explicit Content-Type. */
    public Multipart field(String name, String type, String value) {
        head("Content-Disposition: form-data; name=\"" + name + "\"\r\nContent-Type: " + type);
        out.writeBytes((value + "\r\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public Multipart field(String name, String value) {
        head("Content-Disposition: form-data; name=\"" + name + "\"");
        out.writeBytes((value + "\r\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    private void head(String headers) {
        out.writeBytes(("--" + BOUNDARY + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + BOUNDARY;
    }

    public byte[] bytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return copy.toByteArray();
    }
}
