/**
 * UTF-8 for the ABI. AssemblyScript strings are UTF-16; everything that crosses the boundary
 * is UTF-8 bytes, so keys, names and messages are encoded on the way out and decoded on the
 * way in. Unpaired surrogates become U+FFFD: the host refuses invalid UTF-8 (an ABI violation).
 */

/** The UTF-8 bytes of `s` (an unpaired surrogate becomes U+FFFD). */
export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE);
}

/** The string held by `len` UTF-8 bytes at `ptr` (invalid sequences become U+FFFD). */
export function stringAt(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

/** The string held by UTF-8 bytes. */
export function stringOf(bytes: Uint8Array): string {
  return stringAt(bytes.dataStart, bytes.length);
}

/** Length of the valid UTF-8 sequence starting at `at`, or 0 when none starts there. */
function sequenceAt(bytes: Uint8Array, at: i32): i32 {
  const c = <u32>bytes[at];
  let len: i32;
  let cp: u32;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
  else return 0;
  if (bytes.length - at < len) return 0;
  for (let i = 1; i < len; i++) {
    const b = <u32>bytes[at + i];
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) return 0;
  return len;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1 when all is valid. */
export function utf8InvalidAt(bytes: Uint8Array): i32 {
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceAt(bytes, i);
    if (n == 0) return i;
    i += n;
  }
  return -1;
}

/**
 * A number the way JavaScript (and, but for -0, the C SDK's `%g`) writes it: the shortest digits that read
 * back, with no ".0" on whole numbers (AssemblyScript's own toString adds one), and
 * `nan`, `inf`, `-inf` for the values JSON has no word for.
 */
export function formatNumber(v: f64): string {
  if (isNaN(v)) return "nan";
  if (!isFinite(v)) return v < 0 ? "-inf" : "inf";
  const s = v.toString();
  return s.endsWith(".0") ? s.slice(0, s.length - 2) : s;
}
