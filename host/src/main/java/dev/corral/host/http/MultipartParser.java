package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Splits a {@code multipart/form-data} body (RFC 7578) that is already in memory into its parts.
 * Helidon's multipart media support is not in the reachable Maven mirror for 4.3.x
 * (docs/decisions/0001-multipart-parser.md), and the body is size-limited before it gets here,
 * so a small strict parser over a byte array is the simplest safe choice.
 */
final class MultipartParser {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
    private static final int MAX_PARTS = 256;

    private MultipartParser() {
    }

    /** The {@code boundary} parameter of a multipart content type, or a 400 naming what is missing. */
    static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.regionMatches(true, 0, "boundary=", 0, 9)) {
                String b = unquote(p.substring(9).trim());
                if (b.isEmpty() || b.length() > 70) {
                    break;
                }
                return b;
            }
        }
        throw new ServingException(ErrorKind.BAD_REQUEST,
                "multipart body: the Content-Type has no valid boundary parameter (1–70 characters)");
    }

    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw malformed("the boundary never appears in the body");
        }
        List<Part> parts = new ArrayList<>();
        byte[] nextDelimiter = concat(CRLF, delimiter);
        while (true) {
            int afterDelimiter = pos + delimiter.length;
            if (startsWith(body, afterDelimiter, new byte[] {'-', '-'})) {
                return parts;
            }
            if (!startsWith(body, afterDelimiter, CRLF)) {
                throw malformed("a boundary line is not followed by CRLF");
            }
            int headerStart = afterDelimiter + 2;
            int headerEnd = indexOf(body, HEADER_END, headerStart);
            if (headerEnd < 0) {
                throw malformed("part " + (parts.size() + 1) + " has no end of headers");
            }
            int contentStart = headerEnd + HEADER_END.length;
            int contentEnd = indexOf(body, nextDelimiter, contentStart);
            if (contentEnd < 0) {
                throw malformed("part " + (parts.size() + 1) + " is not closed by a boundary (truncated body?)");
            }
            if (parts.size() == MAX_PARTS) {
                throw new ServingException(ErrorKind.BAD_REQUEST,
                        "multipart body: more than " + MAX_PARTS + " parts");
            }
            String headers = new String(body, headerStart, headerEnd - headerStart, StandardCharsets.UTF_8);
            parts.add(part(headers, Arrays.copyOfRange(body, contentStart, contentEnd), parts.size() + 1));
            pos = contentEnd + CRLF.length;
        }
    }

    private static Part part(String headers, byte[] content, int number) {
        String name = null;
        String filename = null;
        String contentType = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw malformed("part " + number + " has a header line without a colon");
            }
            String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (header.equals("content-disposition")) {
                name = dispositionParam(value, "name");
                filename = dispositionParam(value, "filename");
            } else if (header.equals("content-type")) {
                contentType = value;
            }
        }
        if (name == null) {
            throw malformed("part " + number + " has no Content-Disposition name");
        }
        return new Part(name, filename, contentType, content);
    }

    private static String dispositionParam(String disposition, String param) {
        for (String piece : disposition.split(";")) {
            String p = piece.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(param)) {
                return unquote(p.substring(eq + 1).trim());
            }
        }
        return null;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static ServingException malformed(String why) {
        return new ServingException(ErrorKind.BAD_REQUEST, "multipart body is malformed: " + why);
    }

    private static boolean startsWith(byte[] body, int at, byte[] prefix) {
        return at + prefix.length <= body.length
                && Arrays.equals(body, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        int last = body.length - needle.length;
        byte first = needle[0];
        for (int i = from; i <= last; i++) {
            if (body[i] == first && Arrays.equals(body, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** One form field or file. {@code filename} and {@code contentType} may be null. */
    record Part(String name, String filename, String contentType, byte[] content) {
    }
}
