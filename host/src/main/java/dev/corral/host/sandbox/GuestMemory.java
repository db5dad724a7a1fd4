package dev.corral.host.sandbox;

import com.dylibso.chicory.runtime.Memory;

/**
 * Checks every guest pointer and length against the memory's current size before the host
 * touches it. Pointers and lengths are the guest's i32 values read as unsigned, so a negative
 * length is a length past the end of memory.
 */
final class GuestMemory {
    private GuestMemory() {
    }

    /** Unsigned value of an i32 argument. */
    static long u32(long arg) {
        return arg & 0xFFFF_FFFFL;
    }

    /**
     * @throws GuestFault (ABI violation) when {@code [ptr, ptr + len)} is not inside memory
     */
    static int check(Memory memory, long ptrArg, long len, String what) {
        long ptr = u32(ptrArg);
        long size = (long) memory.pages() * Memory.PAGE_SIZE;
        if (len < 0 || ptr + len > size) {
            throw GuestFault.abi(what + " at " + ptr + " with length " + len
                    + " is outside memory (" + size + " bytes)");
        }
        return (int) ptr;
    }

    /** A copy of {@code len} guest bytes at {@code ptr}, after checking the range. */
    static byte[] read(Memory memory, long ptrArg, long len, String what) {
        int ptr = check(memory, ptrArg, len, what);
        return memory.readBytes(ptr, (int) len);
    }

    /** Copies {@code len} bytes of {@code src} to the guest at {@code ptr}, after checking the range. */
    static void write(Memory memory, long ptrArg, byte[] src, int len, String what) {
        int ptr = check(memory, ptrArg, len, what);
        memory.write(ptr, src, 0, len);
    }
}
