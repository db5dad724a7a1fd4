//! Failures and how they reach the client (ABI.md §4.4).
//!
//! A failure is reported to the host with `set_error` at the moment it is created, so an entry
//! point only has to pass it on with `?`: the entry macro turns `Err(failure)` into the
//! non-zero return the ABI expects.

use core::fmt::{self, Write};

use crate::sys;

/// Who is to blame, which decides the HTTP status the client sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Code {
    /// The plugin or its config is wrong: HTTP 500 `plugin_failed`.
    Plugin = 1,
    /// The request's data is unusable: HTTP 422 `invalid_input`.
    Input = 2,
    /// A request option is unusable: HTTP 422 `invalid_option`.
    Option = 3,
}

/// A failure already reported with `set_error`; the entry point returns its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    code: Code,
}

impl Failure {
    pub fn code(self) -> Code {
        self.code
    }
}

/// What every fallible SDK function returns.
pub type Result<T> = core::result::Result<T, Failure>;

/// The most the host keeps of a message (ABI.md §4.4); longer is cut here, at a character
/// boundary, so that what is sent is always valid UTF-8.
pub const MAX_MESSAGE: usize = 1024;

/// Reports `message` with `set_error(code, …)` and returns the failure to pass on.
pub fn fail(code: Code, message: &str) -> Failure {
    let mut buf = MessageBuf::new();
    buf.push(message);
    buf.report(code)
}

/// [`fail`] with a formatted message; what the [`fail!`](crate::fail!) macro calls.
pub fn fail_fmt(code: Code, args: fmt::Arguments) -> Failure {
    let mut buf = MessageBuf::new();
    // MessageBuf never refuses a write (it cuts instead), so formatting cannot fail.
    let _ = buf.write_fmt(args);
    buf.report(code)
}

/// Reports a failure with a formatted message and evaluates to the [`Failure`]:
/// `return Err(fail!(Code::Input, "input '{}' is missing", name));`
#[macro_export]
macro_rules! fail {
    ($code:expr, $($arg:tt)+) => {
        $crate::error::fail_fmt($code, ::core::format_args!($($arg)+))
    };
}

/// A message on the stack, at most [`MAX_MESSAGE`] bytes; what does not fit is dropped.
pub(crate) struct MessageBuf {
    bytes: [u8; MAX_MESSAGE],
    len: usize,
}

impl MessageBuf {
    pub(crate) fn new() -> Self {
        MessageBuf { bytes: [0; MAX_MESSAGE], len: 0 }
    }

    pub(crate) fn push(&mut self, s: &str) {
        let room = MAX_MESSAGE - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn report(&self, code: Code) -> Failure {
        // SAFETY: the pointer and length describe self.bytes' initialised prefix.
        unsafe { sys::set_error(code as i32, self.bytes.as_ptr(), self.len as i32) };
        Failure { code }
    }
}

impl Write for MessageBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s);
        Ok(())
    }
}

/// Reports a panic (its message and place) with `set_error(1, …)` and to the host's log at
/// level error, then traps: the host discards the instance and the client gets HTTP 500
/// `plugin_failed`. The log line is there because the host describes a trap by itself and
/// does not show the last `set_error`. Build plugins with `-C panic=abort`: there is no
/// unwinding in a plugin.
#[panic_handler]
fn on_panic(info: &core::panic::PanicInfo) -> ! {
    let mut buf = MessageBuf::new();
    let _ = write!(buf, "plugin {}", info);
    // SAFETY: (ptr, len) describe the buffer's bytes.
    unsafe { sys::log(crate::log::Level::Error as i32, buf.as_bytes().as_ptr(), buf.as_bytes().len() as i32) };
    buf.report(Code::Plugin);
    core::arch::wasm32::unreachable()
}
