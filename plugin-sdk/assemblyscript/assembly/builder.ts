import { formatNumber, stringAt } from "./text";

/**
 * A growable UTF-8 byte buffer: a string builder whose result crosses the ABI as is (no
 * UTF-16 round trip). Appending never fails; memory grows by doubling.
 */
export class ByteBuilder {
  private data: Uint8Array = new Uint8Array(64);
  private used: i32 = 0;

  /** Bytes written so far. */
  get length(): i32 {
    return this.used;
  }

  /** Address of the first byte (valid until the next append), for the raw imports. */
  get dataStart(): usize {
    return this.data.dataStart;
  }

  private reserve(more: i32): usize {
    const need = this.used + more;
    if (need > this.data.length) {
      let cap = this.data.length << 1;
      while (cap < need) cap <<= 1;
      const bigger = new Uint8Array(cap);
      memory.copy(bigger.dataStart, this.data.dataStart, this.used);
      this.data = bigger;
    }
    const at = this.data.dataStart + this.used;
    this.used = need;
    return at;
  }

  /** Appends one byte (e.g. an ASCII character code). */
  byte(b: u8): ByteBuilder {
    store<u8>(this.reserve(1), b);
    return this;
  }

  /** Appends `len` bytes at `ptr`. */
  raw(ptr: usize, len: i32): ByteBuilder {
    memory.copy(this.reserve(len), ptr, len);
    return this;
  }

  /** Appends bytes. */
  bytes(b: Uint8Array): ByteBuilder {
    return this.raw(b.dataStart, b.length);
  }

  /** Appends a string as UTF-8 (an unpaired surrogate becomes U+FFFD). */
  string(s: string): ByteBuilder {
    const len = String.UTF8.byteLength(s);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.reserve(len), false, String.UTF8.ErrorMode.REPLACE);
    return this;
  }

  /** Appends an integer in decimal. */
  int(v: i64): ByteBuilder {
    return this.string(v.toString());
  }

  /** Appends a number as formatNumber writes it (shortest digits, no ".0"). */
  number(v: f64): ByteBuilder {
    return this.string(formatNumber(v));
  }

  /** Forgets everything written, keeping the memory. */
  clear(): void {
    this.used = 0;
  }

  /** A copy of the bytes written. */
  toBytes(): Uint8Array {
    return this.data.slice(0, this.used);
  }

  /** The bytes written, as a string. */
  toString(): string {
    return stringAt(this.data.dataStart, this.used);
  }
}
