/**
 * The tokenizer capability (ABI §4.5): the model's own tokenizer. Works only in a step whose
 * manifest entry grants it (`"capabilities": ["tokenizer"]`); otherwise the host fails the
 * call with 500 plugin_capability_denied. Each helper checks first what the host would treat
 * as an ABI violation (invalid UTF-8, text over 1 MiB, ids outside the vocabulary) and
 * refuses it with ErrorCode.INPUT instead, naming what was wrong.
 */
import { tokenizer_decode, tokenizer_encode, tokenizer_token_id, tokenizer_vocab_size } from "./abi";
import { ErrorCode, fail } from "./errors";
import { utf8, utf8InvalidAt } from "./text";

/** tokenize flag: add the tokenizer's special tokens (BOS, or [CLS] … [SEP]). */
export const ADD_SPECIAL: i32 = 1;
/** detokenize flag: leave special tokens out of the text. */
export const SKIP_SPECIAL: i32 = 1;
/** Bytes of text the host encodes in one call. */
export const MAX_TOKENIZER_TEXT: i32 = 1 << 20;

/**
 * Encodes UTF-8 text; returns the ids, or null (error set). Asks the host once with room
 * for len + 16 ids (enough for WordPiece and byte-level BPE), and again with exactly the
 * room needed when that was not enough.
 */
export function tokenize(text: Uint8Array, flags: i32): Int32Array | null {
  const len = text.length;
  if (len > MAX_TOKENIZER_TEXT) {
    fail(ErrorCode.INPUT, "the text is " + len.toString() + " bytes; the tokenizer takes at most "
      + MAX_TOKENIZER_TEXT.toString() + " bytes at a time");
    return null;
  }
  const bad = utf8InvalidAt(text);
  if (bad >= 0) {
    fail(ErrorCode.INPUT, "the text is not valid UTF-8 (byte " + bad.toString() + ")");
    return null;
  }
  let ids = new Int32Array(len + 16);
  const n = tokenizer_encode(text.dataStart, len, flags, ids.dataStart, ids.length);
  if (n < 0) {
    fail(ErrorCode.PLUGIN, "tokenizer_encode returned " + n.toString());
    return null;
  }
  if (n <= ids.length) return ids.subarray(0, n);
  ids = new Int32Array(n);
  const again = tokenizer_encode(text.dataStart, len, flags, ids.dataStart, n);
  if (again != n) {
    fail(ErrorCode.PLUGIN, "tokenizer_encode gave " + n.toString() + " ids, then " + again.toString() + " for the same text");
    return null;
  }
  return ids;
}

/** tokenize for a string (encoded to UTF-8 first). */
export function tokenizeString(text: string, flags: i32): Int32Array | null {
  return tokenize(Uint8Array.wrap(utf8(text)), flags);
}

/** Decodes ids to UTF-8 text; returns its bytes, or null (error set; ids outside the vocabulary are ErrorCode.INPUT). */
export function detokenize(ids: Int32Array, flags: i32): Uint8Array | null {
  const vocab = tokenizer_vocab_size();
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= vocab) {
      fail(ErrorCode.INPUT, "token id " + ids[i].toString() + " (at " + i.toString() + ") is outside the vocabulary 0.."
        + (vocab - 1).toString());
      return null;
    }
  }
  let out = new Uint8Array(ids.length < (i32.MAX_VALUE - 16) / 8 ? ids.length * 8 + 16 : i32.MAX_VALUE);
  const n = tokenizer_decode(ids.dataStart, ids.length, flags, out.dataStart, out.length);
  if (n < 0) {
    fail(ErrorCode.PLUGIN, "tokenizer_decode returned " + n.toString());
    return null;
  }
  if (n <= out.length) return out.subarray(0, n);
  out = new Uint8Array(n);
  const again = tokenizer_decode(ids.dataStart, ids.length, flags, out.dataStart, n);
  if (again != n) {
    fail(ErrorCode.PLUGIN, "tokenizer_decode gave " + n.toString() + " bytes, then " + again.toString() + " for the same ids");
    return null;
  }
  return out;
}

/** The id of a token string (e.g. "</s>"), or -1 when the vocabulary lacks it. */
export function tokenId(token: string): i32 {
  const t = utf8(token);
  return tokenizer_token_id(changetype<usize>(t), t.byteLength);
}

/** The vocabulary size V: ids are 0 .. V-1. */
export function vocabSize(): i32 {
  return tokenizer_vocab_size();
}
