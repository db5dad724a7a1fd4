package dev.corral.registry;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a gzip-compressed tar archive (an npm package tarball) one file at a time, streaming: the
 * archive is never held in memory. It understands POSIX ustar headers (with the {@code prefix} that
 * holds the front of a long path), pax extended headers (their {@code path} and {@code size}) and GNU
 * long names, which is what npm and other tar writers produce. An entry whose path is absolute or
 * climbs with {@code ..} makes the whole archive refused: such a tarball is broken or hostile.
 * Every error names the archive.
 */
final class TarGzReader implements Closeable {
    private static final int BLOCK = 512;
    /** pax and GNU long-name records hold a few paths; anything larger is not an npm tarball. */
    private static final int MAX_META_BYTES = 1 << 20;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_LENGTH = 8;

    private final InputStream in;
    private final String archive;
    private final byte[] scratch = new byte[64 * 1024];
    private long offset;
    private String current;
    private long currentSize;
    private long unread;

    /**
     * @param compressed the {@code .tgz} bytes; closed with this reader
     * @param archive    how messages name the archive (its path or address)
     * @throws IOException when the stream does not start as gzip
     */
    TarGzReader(InputStream compressed, String archive) throws IOException {
        this.archive = archive;
        try {
            this.in = new GZIPInputStream(compressed, scratch.length);
        } catch (IOException e) {
            compressed.close();
            throw damaged(e);
        }
    }

    /** Copies the file {@code entry} of {@code tarball} into {@code dest}, replacing what it held. */
    static void extract(Path tarball, String entry, Path dest) throws IOException {
        try (TarGzReader tar = open(tarball, tarball.toString())) {
            int files = 0;
            for (String path = tar.nextFile(); path != null; path = tar.nextFile()) {
                if (path.equals(entry)) {
                    Files.copy(tar.content(), dest, StandardCopyOption.REPLACE_EXISTING);
                    return;
                }
                files++;
            }
            throw new IOException("the tarball " + tarball + " has no file '" + entry + "' (it has " + files
                    + " files; paths inside an npm tarball usually start with 'package/')");
        }
    }

    /**
     * Reads every header and every byte through to the gzip trailer, whose checksum and length prove
     * the archive whole, so that a truncated or damaged download is refused before it is kept.
     *
     * @param archive how messages name it
     */
    static void checkWhole(Path tarball, String archive) throws IOException {
        try (TarGzReader tar = open(tarball, archive)) {
            while (tar.nextFile() != null) {
                // nextFile() reads each entry's data on its way to the next header
            }
            while (tar.read(tar.scratch, 0, tar.scratch.length) >= 0) {
                // what follows the end-of-archive blocks is padding; reading it reaches the gzip trailer
            }
        }
    }

    private static TarGzReader open(Path tarball, String archive) throws IOException {
        return new TarGzReader(new BufferedInputStream(Files.newInputStream(tarball)), archive);
    }

    /**
     * Moves to the next regular file, passing over directories, links and metadata records.
     *
     * @return its path inside the archive, or {@code null} at the end of the archive
     * @throws IOException when the archive is truncated or damaged, or an entry's path leaves it
     */
    String nextFile() throws IOException {
        skipRest();
        String longPath = null;
        Long longSize = null;
        while (true) {
            byte[] header = readHeader();
            if (header == null) {
                current = null;
                return null;
            }
            char type = (char) header[156];
            long size = octal(header, 124, 12, "size");
            if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                byte[] meta = readMeta(size, type);
                if (type == 'L') {
                    longPath = text(meta, 0, meta.length);
                } else if (type == 'x') {
                    Map<String, String> pax = paxRecords(meta);
                    longPath = pax.getOrDefault("path", longPath);
                    if (pax.containsKey("size")) {
                        longSize = paxNumber(pax.get("size"));
                    }
                } // a pax global header ('g') or a GNU long link target ('K') says nothing we use
                continue;
            }
            String path = longPath != null ? longPath : headerPath(header);
            requireInside(path);
            current = path;
            currentSize = longSize != null ? longSize : size;
            unread = currentSize;
            if (type == '0' || type == '\0' || type == '7') {
                return path;
            }
            skipRest(); // a directory, a link, a device, ...
            longPath = null;
            longSize = null;
        }
    }

    /** The bytes of the file {@link #nextFile()} moved to; reading past a truncation fails. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int off, int len) throws IOException {
                if (unread == 0) {
                    return -1;
                }
                int n = TarGzReader.this.read(buffer, off, (int) Math.min(len, unread));
                if (n < 0) {
                    throw truncatedIn(current);
                }
                unread -= n;
                return n;
            }
        };
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Skips what is left of the current entry's data and its padding to the next block. */
    private void skipRest() throws IOException {
        if (current == null) {
            return;
        }
        content().transferTo(OutputStream.nullOutputStream());
        int padding = (int) ((BLOCK - currentSize % BLOCK) % BLOCK);
        if (readFully(scratch, padding) < padding) {
            throw new IOException(archive + " is truncated: it ends inside the padding after '" + current + "'");
        }
        current = null;
    }

    /** The next header, or {@code null} at the end-of-archive block (or a clean end of the stream). */
    private byte[] readHeader() throws IOException {
        long at = offset;
        byte[] header = new byte[BLOCK];
        int filled = readFully(header, BLOCK);
        if (filled == 0) {
            return null;
        }
        if (filled < BLOCK) {
            throw new IOException(archive + " is truncated: it ends inside the tar header at byte " + at);
        }
        if (isZero(header)) {
            return null;
        }
        long stored = octal(header, CHECKSUM_OFFSET, CHECKSUM_LENGTH, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            boolean inChecksum = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH;
            unsigned += inChecksum ? ' ' : header[i] & 0xff;
            signed += inChecksum ? ' ' : header[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new IOException(archive + " is not a valid tar archive: the header at byte " + at
                    + " has checksum " + stored + ", its bytes sum to " + unsigned);
        }
        return header;
    }

    /** The path of a ustar header: the {@code prefix} field, when the format has one, then the name. */
    private static String headerPath(byte[] header) {
        String name = text(header, 0, 100);
        boolean posixUstar = Arrays.equals(header, 257, 263, "ustar\0".getBytes(StandardCharsets.US_ASCII), 0, 6);
        String prefix = posixUstar ? text(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private void requireInside(String path) throws IOException {
        boolean absolute = path.startsWith("/") || path.startsWith("\\") || path.matches("[A-Za-z]:.*");
        if (absolute || List.of(path.split("[/\\\\]")).contains("..")) {
            throw new IOException(archive + " has an entry whose path leaves the archive's folder: '" + path
                    + "'; the tarball is refused");
        }
    }

    /** A pax header's or a GNU long name's bytes, read whole (they are small). */
    private byte[] readMeta(long size, char type) throws IOException {
        String what = type == 'x' || type == 'g' ? "pax header" : "GNU long name record";
        if (size > MAX_META_BYTES) {
            throw new IOException(archive + ": a " + what + " of " + size + " bytes (at most " + MAX_META_BYTES
                    + " expected)");
        }
        current = "(" + what + ")";
        currentSize = size;
        unread = size;
        byte[] bytes = content().readNBytes((int) size);
        skipRest();
        return bytes;
    }

    /**
     * A pax extended header's records ({@code "LENGTH key=value\n"}, where LENGTH counts the whole
     * record in bytes); a later record for a key replaces an earlier one, as POSIX says.
     */
    private Map<String, String> paxRecords(byte[] bytes) throws IOException {
        Map<String, String> records = new HashMap<>();
        int at = 0;
        while (at < bytes.length) {
            int space = at;
            while (space < bytes.length && bytes[space] >= '0' && bytes[space] <= '9') {
                space++;
            }
            int length = space == at || space - at > 9 || space == bytes.length || bytes[space] != ' ' ? -1
                    : Integer.parseInt(new String(bytes, at, space - at, StandardCharsets.US_ASCII));
            if (length <= space - at || at + length > bytes.length || bytes[at + length - 1] != '\n') {
                throw new IOException(archive + ": a pax extended header has a malformed record at byte " + at
                        + " of " + bytes.length);
            }
            String record = new String(bytes, space + 1, at + length - 1 - (space + 1), StandardCharsets.UTF_8);
            int equals = record.indexOf('=');
            if (equals > 0) {
                records.put(record.substring(0, equals), record.substring(equals + 1));
            }
            at += length;
        }
        return records;
    }

    private long paxNumber(String text) throws IOException {
        try {
            long value = Long.parseLong(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(archive + ": a pax extended header gives the size \"" + text + "\"");
    }

    /** An octal number field, NUL- or space-terminated, as ustar writes sizes and checksums. */
    private long octal(byte[] header, int start, int length, String field) throws IOException {
        if ((header[start] & 0x80) != 0) {
            throw new IOException(archive + ": an entry's " + field + " is in binary (base-256) form, used for"
                    + " files over 8 GiB; not supported");
        }
        long value = 0;
        int i = start;
        while (i < start + length && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        for (; i < start + length && header[i] != ' ' && header[i] != 0; i++) {
            if (header[i] < '0' || header[i] > '7') {
                throw new IOException(archive + " is not a valid tar archive: the " + field + " field of the header"
                        + " at byte " + (offset - BLOCK) + " is not an octal number");
            }
            value = value * 8 + (header[i] - '0');
        }
        return value;
    }

    private static String text(byte[] header, int start, int length) {
        int end = start;
        while (end < start + length && header[end] != 0) {
            end++;
        }
        return new String(header, start, end - start, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads {@code length} bytes into {@code buffer} unless the stream ends first; returns how many it read. */
    private int readFully(byte[] buffer, int length) throws IOException {
        int filled = 0;
        while (filled < length) {
            int n = read(buffer, filled, length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled;
    }

    /** Reads decompressed bytes; gzip's own failures become messages that name the archive. */
    private int read(byte[] buffer, int off, int len) throws IOException {
        try {
            int n = in.read(buffer, off, len);
            offset += Math.max(n, 0);
            return n;
        } catch (IOException e) {
            throw damaged(e);
        }
    }

    private IOException truncatedIn(String entry) {
        return new IOException(archive + " is truncated: it ends inside the data of '" + entry + "' ("
                + (currentSize - unread) + " of " + currentSize + " bytes read)");
    }

    private IOException damaged(IOException gzip) {
        if (gzip instanceof EOFException) {
            return new IOException(archive + " is truncated: its gzip stream ends early (" + gzip.getMessage() + ")",
                    gzip);
        }
        return new IOException(archive + " is not a whole gzip stream: " + gzip.getMessage(), gzip);
    }
}
