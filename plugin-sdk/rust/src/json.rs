//! A JSON writer for the step's result. It places commas and colons itself, escapes strings
//! (invalid UTF-8 becomes U+FFFD: the host refuses invalid UTF-8), writes NaN and infinities
//! as `null` (JSON has no such numbers), numbers with the fewest digits that read back
//! exactly, and remembers the first failure so a plugin can write everything and check once.
//!
//! ```ignore
//! let mut j = Json::new(call);
//! j.begin_object();
//! j.key("score"); j.f32(0.5);
//! j.key("tags");  j.begin_array(); j.string("a"); j.string("b"); j.end_array();
//! j.end_object();
//! j.emit() // {"score":0.5,"tags":["a","b"]}
//! ```

use core::fmt::Write;

use crate::arena::Call;
use crate::error::{Code, Result};
use crate::text::Text;
use crate::{fail, output};

/// The deepest nesting the writer tracks.
pub const MAX_DEPTH: u32 = 64;

pub struct Json<'c> {
    out: Text<'c>,
    /// Bit d: the container at depth d already holds an item (it needs a comma).
    has_items: u64,
    depth: u32,
    after_key: bool,
}

impl<'c> Json<'c> {
    pub fn new(call: &'c Call) -> Self {
        Json { out: Text::new(call), has_items: 0, depth: 0, after_key: false }
    }

    pub fn begin_object(&mut self) {
        self.open(b'{');
    }

    pub fn end_object(&mut self) {
        self.close(b'}');
    }

    pub fn begin_array(&mut self) {
        self.open(b'[');
    }

    pub fn end_array(&mut self) {
        self.close(b']');
    }

    /// An object's key; write its value next.
    pub fn key(&mut self, key: &str) {
        self.item();
        self.quoted(key.as_bytes());
        self.out.push_utf8(b":");
        self.after_key = true;
    }

    pub fn string(&mut self, s: &str) {
        self.item();
        self.quoted(s.as_bytes());
    }

    /// A string from bytes that may not be UTF-8 (each invalid sequence becomes U+FFFD).
    pub fn string_bytes(&mut self, s: &[u8]) {
        self.item();
        self.quoted(s);
    }

    pub fn int(&mut self, v: i64) {
        self.item();
        let _ = write!(self.out, "{}", v);
    }

    /// A float64 with the fewest digits that read back exactly; NaN and infinities as `null`.
    pub fn f64(&mut self, v: f64) {
        self.float(v, v, 1e-6, 1e21);
    }

    /// A float32 with the fewest digits that read back as the same float32.
    pub fn f32(&mut self, v: f32) {
        self.float(v, v as f64, 1e-6f32 as f64, 1e21f32 as f64);
    }

    /// `v` formatted by its own type (so an f32 keeps f32's shortest digits); `wide` is the
    /// same value as f64 and `lo..hi` the plain-notation range in `v`'s own precision, widened
    /// (exact: every f32 is an f64, and widening keeps the order).
    fn float<T: core::fmt::Display + core::fmt::LowerExp>(&mut self, v: T, wide: f64, lo: f64, hi: f64) {
        self.item();
        let a = if wide < 0.0 { -wide } else { wide };
        if !wide.is_finite() {
            self.out.push_str("null");
        } else if a != 0.0 && !(lo..hi).contains(&a) {
            let _ = write!(self.out, "{:e}", v);
        } else {
            let _ = write!(self.out, "{}", v);
        }
    }

    pub fn bool(&mut self, v: bool) {
        self.item();
        self.out.push_str(if v { "true" } else { "false" });
    }

    pub fn null(&mut self) {
        self.item();
        self.out.push_str("null");
    }

    /// The document, or the first failure while writing it (also: containers left open).
    pub fn finish(self) -> Result<&'c str> {
        if !self.out.failed() {
            if self.out.is_empty() {
                return Err(fail!(Code::Plugin, "JSON writer: nothing was written"));
            }
            if self.depth != 0 {
                return Err(fail!(Code::Plugin, "JSON writer: {} container(s) left open", self.depth));
            }
        }
        self.out.finish()
    }

    /// Sends the document as the step's result (`output_json`).
    pub fn emit(self) -> Result<()> {
        output::json(self.finish()?)
    }

    /// The comma before an item, unless it is the first of its container or follows a key.
    fn item(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if self.depth > 0 {
            let bit = 1u64 << (self.depth - 1);
            if self.has_items & bit != 0 {
                self.out.push_utf8(b",");
            }
            self.has_items |= bit;
        }
    }

    fn open(&mut self, bracket: u8) {
        self.item();
        if self.depth == MAX_DEPTH {
            if !self.out.failed() {
                self.out.set_failed(fail!(Code::Plugin, "JSON nested deeper than {} levels", MAX_DEPTH));
            }
            return;
        }
        self.depth += 1;
        self.has_items &= !(1u64 << (self.depth - 1));
        self.out.push_utf8(&[bracket]);
    }

    fn close(&mut self, bracket: u8) {
        if self.depth == 0 {
            if !self.out.failed() {
                self.out.set_failed(fail!(Code::Plugin, "JSON writer: '{}' closes nothing", bracket as char));
            }
            return;
        }
        self.depth -= 1;
        self.out.push_utf8(&[bracket]);
    }

    fn quoted(&mut self, mut s: &[u8]) {
        self.out.push_utf8(b"\"");
        loop {
            match core::str::from_utf8(s) {
                Ok(valid) => {
                    self.escaped(valid);
                    break;
                }
                Err(e) => {
                    let (valid, rest) = s.split_at(e.valid_up_to());
                    // SAFETY: from_utf8 checked this prefix.
                    self.escaped(unsafe { core::str::from_utf8_unchecked(valid) });
                    self.out.push_str("\u{fffd}");
                    s = &rest[e.error_len().unwrap_or(rest.len())..];
                }
            }
        }
        self.out.push_utf8(b"\"");
    }

    fn escaped(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let mut run = 0; // start of the bytes that need no escape, copied in one go
        for (i, &c) in bytes.iter().enumerate() {
            let escape: &str = match c {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_utf8(&bytes[run..i]);
            if escape.is_empty() {
                let _ = write!(self.out, "\\u{:04x}", c);
            } else {
                self.out.push_str(escape);
            }
            run = i + 1;
        }
        self.out.push_utf8(&bytes[run..]);
    }
}
