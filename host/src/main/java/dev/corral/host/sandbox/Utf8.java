package dev.corral.host.sandbox;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding of guest strings: invalid UTF-8 is an ABI violation, never replaced. */
final class Utf8 {
    private Utf8() {
    }

    static String decode(byte[] bytes, int len, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw GuestFault.abi(what + " is not valid UTF-8");
        }
    }

    static String decode(byte[] bytes, String what) {
        return decode(bytes, bytes.length, what);
    }

    /** The longest prefix of at most {@code max} bytes that does not split a character. */
    static int prefix(byte[] bytes, int max) {
        if (bytes.length <= max) {
            return bytes.length;
        }
        int end = max;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }
}
