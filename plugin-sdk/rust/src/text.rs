//! A string builder in the call's arena, for messages, JSON and any text a plugin writes.

use core::fmt;

use crate::arena::Call;
use crate::error::{Code, Failure, Result};
use crate::fail;

/// A growable UTF-8 string in the call's arena. `write!` works on it (it implements
/// [`fmt::Write`]); the first allocation failure is remembered and reported once by
/// [`finish`](Self::finish), so a plugin can write everything and check once.
pub struct Text<'c> {
    call: &'c Call,
    buf: &'c mut [u8],
    len: usize,
    failed: Option<Failure>,
}

impl<'c> Text<'c> {
    pub fn new(call: &'c Call) -> Self {
        Text { call, buf: &mut [], len: 0, failed: None }
    }

    pub fn push_str(&mut self, s: &str) {
        self.push_utf8(s.as_bytes());
    }

    pub fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    /// Bytes known to be valid UTF-8 (crate-internal: keeps the builder's invariant).
    pub(crate) fn push_utf8(&mut self, bytes: &[u8]) {
        if !self.reserve(bytes.len()) {
            return;
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn reserve(&mut self, more: usize) -> bool {
        if self.failed.is_some() {
            return false;
        }
        let needed = match self.len.checked_add(more) {
            Some(n) if n <= i32::MAX as usize => n,
            _ => {
                self.failed = Some(fail!(Code::Plugin, "text too large: {} + {} bytes", self.len, more));
                return false;
            }
        };
        if needed <= self.buf.len() {
            return true;
        }
        let mut cap = self.buf.len().max(256);
        while cap < needed {
            cap = cap.saturating_mul(2);
        }
        let old = core::mem::take(&mut self.buf);
        match self.call.grow(old, cap) {
            Ok(buf) => {
                self.buf = buf;
                true
            }
            Err(failure) => {
                self.failed = Some(failure);
                false
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text so far (whatever was written before a failure).
    pub fn as_str(&self) -> &str {
        // SAFETY: only whole UTF-8 strings are ever appended.
        unsafe { core::str::from_utf8_unchecked(&self.buf[..self.len]) }
    }

    /// The text, or the first failure while writing it.
    pub fn finish(self) -> Result<&'c str> {
        if let Some(failure) = self.failed {
            return Err(failure);
        }
        let Text { buf, len, .. } = self;
        // SAFETY: as in as_str.
        Ok(unsafe { core::str::from_utf8_unchecked(&buf[..len]) })
    }

    pub(crate) fn failed(&self) -> bool {
        self.failed.is_some()
    }

    pub(crate) fn set_failed(&mut self, failure: Failure) {
        if self.failed.is_none() {
            self.failed = Some(failure);
        }
    }
}

impl fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        if self.failed.is_some() {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}
