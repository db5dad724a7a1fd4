//! The model's tokenizer, a capability (ABI.md §4.5): it works only in a step whose manifest
//! entry grants it (`"capabilities": ["tokenizer"]`); elsewhere the host fails the call with
//! HTTP 500 `plugin_capability_denied`.
//!
//! The helpers check what the host would treat as an ABI violation (text over 1 MiB, invalid
//! UTF-8, ids outside the vocabulary) and refuse it as the client's input (code 2) instead,
//! naming what was wrong; they size the result buffer with a second call when needed.

use crate::arena::Call;
use crate::error::{Code, Result};
use crate::{fail, sys};

/// Bytes of text per encode call (the host's ceiling).
pub const MAX_TEXT: usize = 1 << 20;

/// Encodes UTF-8 text to ids in the call's arena; `add_special` adds the tokenizer's special
/// tokens (BOS, or `[CLS]` … `[SEP]`). Never truncates, never pads. The text is bytes so that
/// an input tensor can be passed as it is: invalid UTF-8 is refused with code 2.
pub fn encode<'c>(call: &'c Call, text: &[u8], add_special: bool) -> Result<&'c [i32]> {
    if text.len() > MAX_TEXT {
        return Err(fail!(Code::Input, "the text is {} bytes; the tokenizer takes at most {} bytes at a time", text.len(), MAX_TEXT));
    }
    if let Err(e) = core::str::from_utf8(text) {
        return Err(fail!(Code::Input, "the text is not valid UTF-8 (byte {})", e.valid_up_to()));
    }
    let flags = add_special as i32;
    let encode = |dst: &mut [i32]| {
        // SAFETY: every (ptr, len) pair describes a live slice.
        unsafe { sys::tokenizer_encode(text.as_ptr(), text.len() as i32, flags, dst.as_mut_ptr(), dst.len() as i32) }
    };
    // Room for len + 16 ids is enough for WordPiece and byte-level BPE; otherwise ask again.
    let guess = call.alloc::<i32>(text.len() + 16)?;
    let n = encode(guess);
    if n < 0 {
        return Err(fail!(Code::Plugin, "tokenizer_encode returned {}", n));
    }
    let n = n as usize;
    if n <= guess.len() {
        return Ok(&guess[..n]);
    }
    let ids = call.alloc::<i32>(n)?;
    let again = encode(ids);
    if again as usize != n {
        return Err(fail!(Code::Plugin, "tokenizer_encode gave {} ids, then {} for the same text", n, again));
    }
    Ok(ids)
}

/// Decodes ids to text in the call's arena; `skip_special` leaves special tokens out. Ids
/// outside the vocabulary are refused with code 2.
pub fn decode<'c>(call: &'c Call, ids: &[i32], skip_special: bool) -> Result<&'c str> {
    let vocab = vocab_size();
    if let Some((at, id)) = ids.iter().enumerate().find(|(_, &id)| id < 0 || id >= vocab) {
        return Err(fail!(Code::Input, "token id {} (at {}) is outside the vocabulary 0..{}", id, at, vocab - 1));
    }
    let flags = skip_special as i32;
    let decode = |dst: &mut [u8]| {
        // SAFETY: every (ptr, len) pair describes a live slice.
        unsafe { sys::tokenizer_decode(ids.as_ptr(), ids.len() as i32, flags, dst.as_mut_ptr(), dst.len() as i32) }
    };
    let guess = call.alloc::<u8>(ids.len().saturating_mul(8).saturating_add(16).min(i32::MAX as usize))?;
    let n = decode(guess);
    if n < 0 {
        return Err(fail!(Code::Plugin, "tokenizer_decode returned {}", n));
    }
    let n = n as usize;
    let bytes: &[u8] = if n <= guess.len() {
        &guess[..n]
    } else {
        let text = call.alloc::<u8>(n)?;
        let again = decode(text);
        if again as usize != n {
            return Err(fail!(Code::Plugin, "tokenizer_decode gave {} bytes, then {} for the same ids", n, again));
        }
        text
    };
    core::str::from_utf8(bytes).map_err(|_| fail!(Code::Plugin, "tokenizer_decode gave text that is not UTF-8"))
}

/// The id of a token string (e.g. `"</s>"`), or `None` when the vocabulary lacks it.
pub fn token_id(token: &str) -> Option<i32> {
    // SAFETY: (ptr, len) describe the string.
    let id = unsafe { sys::tokenizer_token_id(token.as_ptr(), token.len() as i32) };
    if id < 0 {
        None
    } else {
        Some(id)
    }
}

/// The vocabulary size V; ids are `0 .. V-1`.
pub fn vocab_size() -> i32 {
    // SAFETY: no arguments.
    unsafe { sys::tokenizer_vocab_size() }
}
