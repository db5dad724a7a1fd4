//! The step's parameters (ABI.md §4.3), in two namespaces read by separate imports so that a
//! plugin always knows which one it reads:
//! - [`config`]: the step's `config` in the model manifest, written by the model's owner
//!   (trusted; a `{"file": "ROLE"}` value arrives as the file's text);
//! - [`options`]: the request's options, written by the client (already checked against the
//!   manifest's declarations; refuse what you check further with [`Code::Option`](crate::Code)).
//!
//! A value of the wrong type (a string read as a number, a fraction read as an integer) fails
//! the call in the host; an integer reads as a number and a boolean as the integer 1 or 0.

use crate::arena::Call;
use crate::error::{Code, Result};
use crate::fail;

type I64Import = unsafe extern "C" fn(*const u8, i32, i64) -> i64;
type F64Import = unsafe extern "C" fn(*const u8, i32, f64) -> f64;
type StrImport = unsafe extern "C" fn(*const u8, i32, *mut u8, i32) -> i32;
type F64sImport = unsafe extern "C" fn(*const u8, i32, *mut f64, i32) -> i32;

/// One namespace's four imports, and its name for messages.
struct Namespace {
    what: &'static str,
    i64: I64Import,
    f64: F64Import,
    str: StrImport,
    f64s: F64sImport,
}

impl Namespace {
    fn int(&self, key: &str, default: i64) -> i64 {
        // SAFETY: (ptr, len) describe the key.
        unsafe { (self.i64)(key.as_ptr(), key.len() as i32, default) }
    }

    fn num(&self, key: &str, default: f64) -> f64 {
        // SAFETY: (ptr, len) describe the key.
        unsafe { (self.f64)(key.as_ptr(), key.len() as i32, default) }
    }

    fn nums_into(&self, key: &str, dst: &mut [f64]) -> Option<usize> {
        // SAFETY: (ptr, len) describe the key and dst, whose capacity is passed.
        let n = unsafe { (self.f64s)(key.as_ptr(), key.len() as i32, dst.as_mut_ptr(), dst.len() as i32) };
        if n < 0 {
            None
        } else {
            Some(n as usize)
        }
    }

    fn nums<'c>(&self, call: &'c Call, key: &str) -> Result<Option<&'c [f64]>> {
        let len = match self.nums_into(key, &mut []) {
            Some(len) => len,
            None => return Ok(None),
        };
        let values = call.alloc::<f64>(len)?;
        self.nums_into(key, values);
        Ok(Some(values))
    }

    fn text<'c>(&self, call: &'c Call, key: &str) -> Result<Option<&'c str>> {
        // SAFETY: a zero capacity asks for the length only.
        let len = unsafe { (self.str)(key.as_ptr(), key.len() as i32, core::ptr::null_mut(), 0) };
        if len < 0 {
            return Ok(None);
        }
        let buf = call.alloc::<u8>(len as usize)?;
        // SAFETY: buf has room for len bytes.
        unsafe { (self.str)(key.as_ptr(), key.len() as i32, buf.as_mut_ptr(), len) };
        match core::str::from_utf8(buf) {
            Ok(s) => Ok(Some(s)),
            Err(_) => Err(fail!(Code::Plugin, "{} '{}': the host gave a string that is not UTF-8", self.what, key)),
        }
    }
}

macro_rules! namespace {
    ($module:ident, $what:literal, $i64:ident, $f64:ident, $str:ident, $f64s:ident, $doc:literal) => {
        #[doc = $doc]
        pub mod $module {
            use super::Namespace;
            use crate::arena::Call;
            use crate::error::Result;
            use crate::sys;

            const NS: Namespace = Namespace { what: $what, i64: sys::$i64, f64: sys::$f64, str: sys::$str, f64s: sys::$f64s };

            /// The integer value of `key`, or `default` when absent.
            pub fn int(key: &str, default: i64) -> i64 {
                NS.int(key, default)
            }

            /// The number value of `key`, or `default` when absent.
            pub fn num(key: &str, default: f64) -> f64 {
                NS.num(key, default)
            }

            /// Copies at most `dst.len()` values of the number array `key` into `dst`; returns
            /// the array's full length (more than `dst.len()`: it was cut), or `None` when absent.
            pub fn nums_into(key: &str, dst: &mut [f64]) -> Option<usize> {
                NS.nums_into(key, dst)
            }

            /// The whole number array `key` in the call's arena, or `None` when absent.
            pub fn nums<'c>(call: &'c Call, key: &str) -> Result<Option<&'c [f64]>> {
                NS.nums(call, key)
            }

            /// The string `key` in the call's arena, or `None` when absent.
            pub fn text<'c>(call: &'c Call, key: &str) -> Result<Option<&'c str>> {
                NS.text(call, key)
            }
        }
    };
}

namespace!(config, "config", config_i64, config_f64, config_str, config_f64s,
    "The step's config from the model manifest: trusted, constant for a plugin instance.");
namespace!(options, "option", option_i64, option_f64, option_str, option_f64s,
    "The request's options: written by the client, already checked against the manifest.");
