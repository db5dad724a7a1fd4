import { output_json } from "./abi";
import { ByteBuilder } from "./builder";
import { ErrorCode, fail } from "./errors";
import { formatNumber } from "./text";

const HEX = "0123456789abcdef";
const MAX_DEPTH = 64;

/**
 * Writes one JSON document as UTF-8. It places commas and colons itself, escapes strings,
 * writes NaN and infinities as null (JSON has no such numbers) and remembers the first misuse
 * (a close that closes nothing or the wrong container, nesting deeper than 64), which emit() reports, so a plugin
 * can write everything and check once:
 *
 *     const j = new JsonWriter();
 *     j.beginObject().key("score").number(0.5).key("tags").beginArray().string("a").endArray().endObject();
 *     return j.emit();   // {"score":0.5,"tags":["a"]}
 */
export class JsonWriter {
  private out: ByteBuilder = new ByteBuilder();
  private hasItems: StaticArray<bool> = new StaticArray<bool>(MAX_DEPTH);
  private opened: StaticArray<u8> = new StaticArray<u8>(MAX_DEPTH); // the bracket each open container needs
  private depth: i32 = 0;
  private afterKey: bool = false;
  private problem: string | null = null;

  /** The comma before an item, unless it is the first in its container or follows a key. */
  private item(): void {
    if (this.afterKey) {
      this.afterKey = false;
      return;
    }
    if (this.depth > 0) {
      if (this.hasItems[this.depth - 1]) this.out.byte(0x2c); // ,
      this.hasItems[this.depth - 1] = true;
    }
  }

  private open(bracket: u8, closing: u8): JsonWriter {
    this.item();
    if (this.depth == MAX_DEPTH) {
      if (this.problem == null) this.problem = "JSON nested deeper than " + MAX_DEPTH.toString() + " levels";
      return this;
    }
    this.opened[this.depth] = closing;
    this.hasItems[this.depth++] = false;
    this.out.byte(bracket);
    return this;
  }

  private close(bracket: u8): JsonWriter {
    if (this.depth == 0) {
      if (this.problem == null) this.problem = "JSON writer: '" + String.fromCharCode(bracket) + "' closes nothing";
      return this;
    }
    const expected = this.opened[this.depth - 1];
    if (expected != bracket) {
      if (this.problem == null)
        this.problem = "JSON writer: '" + String.fromCharCode(bracket) + "' where '" + String.fromCharCode(expected) + "' was due";
      return this;
    }
    this.depth--;
    this.out.byte(bracket);
    return this;
  }

  beginObject(): JsonWriter { return this.open(0x7b, 0x7d); }
  endObject(): JsonWriter { return this.close(0x7d); }
  beginArray(): JsonWriter { return this.open(0x5b, 0x5d); }
  endArray(): JsonWriter { return this.close(0x5d); }

  private quoted(s: string): void {
    const out = this.out;
    out.byte(0x22);
    let run = 0; // start of the characters that need no escaping, appended in one go
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
      if (i > run) out.string(s.substring(run, i));
      run = i + 1;
      out.byte(0x5c);
      if (c == 0x22 || c == 0x5c) out.byte(<u8>c);
      else if (c == 0x0a) out.byte(0x6e);
      else if (c == 0x0d) out.byte(0x72);
      else if (c == 0x09) out.byte(0x74);
      else if (c == 0x08) out.byte(0x62);
      else if (c == 0x0c) out.byte(0x66);
      else out.string("u00").byte(<u8>HEX.charCodeAt(c >> 4)).byte(<u8>HEX.charCodeAt(c & 15));
    }
    if (run < s.length) out.string(run == 0 ? s : s.substring(run));
    out.byte(0x22);
  }

  /** An object key (then write its value). */
  key(k: string): JsonWriter {
    this.item();
    this.quoted(k);
    this.out.byte(0x3a); // :
    this.afterKey = true;
    return this;
  }

  string(s: string): JsonWriter {
    this.item();
    this.quoted(s);
    return this;
  }

  int(v: i64): JsonWriter {
    this.item();
    this.out.int(v);
    return this;
  }

  /** A number with the shortest digits that read back; NaN and infinities as null. */
  number(v: f64): JsonWriter {
    this.item();
    this.out.string(isFinite(v) ? formatNumber(v) : "null");
    return this;
  }

  bool(v: bool): JsonWriter {
    this.item();
    this.out.string(v ? "true" : "false");
    return this;
  }

  null(): JsonWriter {
    this.item();
    this.out.string("null");
    return this;
  }

  /** The document so far. */
  toString(): string {
    return this.out.toString();
  }

  /**
   * Sends the document as the step's result (output_json). Returns 0, or ErrorCode.PLUGIN
   * with the error set when the writer was misused or containers are still open.
   */
  emit(): i32 {
    const problem = this.problem;
    if (problem != null) return fail(ErrorCode.PLUGIN, problem);
    if (this.out.length == 0) return fail(ErrorCode.PLUGIN, "JSON writer: nothing was written");
    if (this.depth != 0)
      return fail(ErrorCode.PLUGIN, "JSON writer: " + this.depth.toString() + " container(s) left open");
    return output_json(this.out.dataStart, this.out.length);
  }
}
