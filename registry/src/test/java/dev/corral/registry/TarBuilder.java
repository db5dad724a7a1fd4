package dev.corral.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tar archives byte by byte, as the ustar and pax specifications lay them out, so that tests
 * can hand {@link TarGzReader} archives a real tool would write as well as broken ones.
 */
final class TarBuilder {
    private static final int BLOCK = 512;
    private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

    /** A regular file; a path longer than the 100-byte name field is split into ustar's prefix and name. */
    TarBuilder file(String path, byte[] bytes) {
        int split = path.length() <= 100 ? -1 : path.lastIndexOf('/', 155);
        if (path.length() > 100 && (split < 0 || path.length() - split - 1 > 100)) {
            throw new IllegalArgumentException("cannot split into prefix and name: " + path);
        }
        return split < 0 ? entry('0', "", path, bytes) : entry('0', path.substring(0, split), path.substring(split + 1), bytes);
    }

    TarBuilder directory(String path) {
        return entry('5', "", path, new byte[0]);
    }

    /** A pax extended header giving the next entry's path (and other records, each "key=value"). */
    TarBuilder pax(char type, String... records) {
        StringBuilder text = new StringBuilder();
        for (String record : records) {
            int length = record.getBytes(StandardCharsets.UTF_8).length + 2;
            int digits = String.valueOf(length).length();
            while (String.valueOf(length + digits).length() != digits) {
                digits++;
            }
            text.append(length + digits).append(' ').append(record).append('\n');
        }
        return entry(type, "", "PaxHeader/entry", text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A GNU long name record ('L'): the next entry's path, whatever its header's name field says. */
    TarBuilder gnuLongName(String path) {
        return entry('L', "", "././@LongLink", (path + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /** One header and its data, padded to whole blocks; the header's checksum is right. */
    TarBuilder entry(char type, String prefix, String name, byte[] data) {
        byte[] header = new byte[BLOCK];
        put(header, 0, 100, name);
        put(header, 100, 8, "0000644");
        put(header, 108, 8, "0000000");
        put(header, 116, 8, "0000000");
        put(header, 124, 12, String.format("%011o", data.length));
        put(header, 136, 12, String.format("%011o", 499162500L));
        header[156] = (byte) type;
        put(header, 257, 6, "ustar");
        put(header, 263, 2, "00");
        put(header, 345, 155, prefix);
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, 7, String.format("%06o", sum));
        tar.writeBytes(header);
        tar.writeBytes(data);
        tar.writeBytes(new byte[(BLOCK - data.length % BLOCK) % BLOCK]);
        return this;
    }

    /** The archive so far, with its end-of-archive marker (two zero blocks). */
    byte[] tar() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(tar.toByteArray());
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    byte[] tgz() {
        return gzip(tar());
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, int length, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > length) {
            throw new IllegalArgumentException("'" + text + "' does not fit in " + length + " bytes");
        }
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
