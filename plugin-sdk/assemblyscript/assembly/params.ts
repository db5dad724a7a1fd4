/**
 * Parameters (ABI §4.3). `config*` reads the step's config from the model manifest (the
 * model owner's, trusted); `option*` reads the request's options (the client's, checked by
 * the host against the manifest's declaration; refuse more with ErrorCode.OPTION).
 *
 * A value of the wrong type (a string read as a number, a fractional number read as an
 * integer) fails the call in the host: the plugin never sees it.
 */
import {
  config_f64, config_f64s, config_i64, config_str,
  option_f64, option_f64s, option_i64, option_str,
} from "./abi";
import { stringOf, utf8 } from "./text";

type StrImport = (key_ptr: usize, key_len: i32, dst_ptr: usize, dst_cap: i32) => i32;

/** A string's UTF-8 bytes, or null when the key is absent. Asks for the length first. */
function bytesOf(get: StrImport, key: string): Uint8Array | null {
  const k = utf8(key);
  const len = get(changetype<usize>(k), k.byteLength, 0, 0);
  if (len < 0) return null;
  const out = new Uint8Array(len);
  get(changetype<usize>(k), k.byteLength, out.dataStart, len);
  return out;
}

/** A number array, or null when the key is absent. Asks for the length first. */
function numbersOf(get: StrImport, key: string): Float64Array | null {
  const k = utf8(key);
  const count = get(changetype<usize>(k), k.byteLength, 0, 0);
  if (count < 0) return null;
  const out = new Float64Array(count);
  get(changetype<usize>(k), k.byteLength, out.dataStart, count);
  return out;
}

/** The config integer `key` (a boolean reads as 1 or 0), or `dflt` when absent. */
export function configInt(key: string, dflt: i64): i64 {
  const k = utf8(key);
  return config_i64(changetype<usize>(k), k.byteLength, dflt);
}

/** The config number `key`, or `dflt` when absent. */
export function configNumber(key: string, dflt: f64): f64 {
  const k = utf8(key);
  return config_f64(changetype<usize>(k), k.byteLength, dflt);
}

/** The config string `key`, or null when absent. A `{"file": ROLE}` value arrives as the file's text. */
export function configString(key: string): string | null {
  const bytes = bytesOf(config_str, key);
  return bytes != null ? stringOf(bytes) : null;
}

/** The config string `key` as its UTF-8 bytes (no UTF-16 copy: better for a large file), or null. */
export function configBytes(key: string): Uint8Array | null {
  return bytesOf(config_str, key);
}

/** The config number array `key` (all of it), or null when absent. */
export function configNumbers(key: string): Float64Array | null {
  return numbersOf(config_f64s, key);
}

/** The request option `key` as an integer, or `dflt` when absent. */
export function optionInt(key: string, dflt: i64): i64 {
  const k = utf8(key);
  return option_i64(changetype<usize>(k), k.byteLength, dflt);
}

/** The request option `key` as a number, or `dflt` when absent. */
export function optionNumber(key: string, dflt: f64): f64 {
  const k = utf8(key);
  return option_f64(changetype<usize>(k), k.byteLength, dflt);
}

/** The request option `key` as a string, or null when absent. */
export function optionString(key: string): string | null {
  const bytes = bytesOf(option_str, key);
  return bytes != null ? stringOf(bytes) : null;
}

/** The request option `key` as a number array, or null when absent. */
export function optionNumbers(key: string): Float64Array | null {
  return numbersOf(option_f64s, key);
}
