//! The host's log (ABI.md §4.4): each line is prefixed with the plugin's name. The host keeps
//! at most 64 lines and 4 KiB a call.

use core::fmt::{self, Write};

use crate::error::MessageBuf;
use crate::sys;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

/// Writes `message` to the host's log.
pub fn write(level: Level, message: &str) {
    // SAFETY: (ptr, len) describe the string.
    unsafe { sys::log(level as i32, message.as_ptr(), message.len() as i32) };
}

/// Writes a formatted message (at most 1 KiB); what the [`log!`](crate::log!) macro calls.
pub fn write_fmt(level: Level, args: fmt::Arguments) {
    let mut buf = MessageBuf::new();
    let _ = buf.write_fmt(args);
    // SAFETY: (ptr, len) describe the buffer's bytes.
    unsafe { sys::log(level as i32, buf.as_bytes().as_ptr(), buf.as_bytes().len() as i32) };
}

/// Logs a formatted message: `corral::log!(Level::Info, "{} rows", n);`
#[macro_export]
macro_rules! log {
    ($level:expr, $($arg:tt)+) => {
        $crate::log::write_fmt($level, ::core::format_args!($($arg)+))
    };
}
