package dev.corral.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * One persistent HTTP/1.1 connection that sends the same prebuilt request again and again. A
 * load generator must cost the machine far less than the server it measures: the request bytes
 * are built once, the response is read into a reused buffer, and the connection is kept open
 * (reopened only when the server asks to close it or an exchange fails).
 */
final class KeepAliveConnection implements Closeable {
    private static final int TIMEOUT_MILLIS = 60_000;

    private final InetSocketAddress address;
    private final byte[] request;
    private final StringBuilder line = new StringBuilder(128);
    private byte[] body = new byte[8192];
    private int bodyLength;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /** @param uri an {@code http://} URL; its path and query are the request target */
    KeepAliveConnection(URI uri, String contentType, byte[] payload) {
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--url must be an http:// URL with a host, got " + uri);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        this.address = new InetSocketAddress(uri.getHost(), port);
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        byte[] head = ("POST " + target + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + port + "\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + payload.length + "\r\n"
                + "Accept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.request = Arrays.copyOf(head, head.length + payload.length);
        System.arraycopy(payload, 0, request, head.length, payload.length);
    }

    /** Sends the request and reads the whole response; returns its status code. */
    int exchange() throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The last response's body as text (for reporting an error). */
    String lastBody() {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.connect(address, TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    private int readResponse() throws IOException {
        String status = readLine();
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw new IOException("not an HTTP/1.x status line: '" + status + "'");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean closeAfter = status.startsWith("HTTP/1.0");
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        bodyLength = 0;
        if (chunked) {
            readChunks();
        } else if (contentLength >= 0) {
            readBody(contentLength);
        } else {
            readUntilClosed();
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return code;
    }

    private void readChunks() throws IOException {
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer fields: none of them matter here
                }
                return;
            }
            readBody(size);
            readLine();
        }
    }

    private void readBody(long length) throws IOException {
        if (bodyLength + length > Integer.MAX_VALUE - 8) {
            throw new IOException("response body of " + length + " bytes is too large for a benchmark");
        }
        int end = bodyLength + (int) length;
        if (end > body.length) {
            body = Arrays.copyOf(body, Math.max(end, body.length * 2));
        }
        while (bodyLength < end) {
            int n = in.read(body, bodyLength, end - bodyLength);
            if (n < 0) {
                throw new EOFException("the server closed the connection " + (end - bodyLength)
                        + " bytes before the end of the response body");
            }
            bodyLength += n;
        }
    }

    private void readUntilClosed() throws IOException {
        for (int n = 0; n >= 0; n = in.read(body, bodyLength, body.length - bodyLength)) {
            bodyLength += n;
            if (bodyLength == body.length) {
                body = Arrays.copyOf(body, body.length * 2);
            }
        }
    }

    /** A header line without its CRLF (ISO-8859-1, as HTTP header bytes are). */
    private String readLine() throws IOException {
        line.setLength(0);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the server closed the connection in the middle of a response head");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket that failed: nothing left to release
            }
            socket = null;
        }
    }
}
